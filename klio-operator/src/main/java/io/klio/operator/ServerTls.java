package io.klio.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.klio.operator.api.v1alpha1.Server;
import io.klio.operator.tls.OperatorCa;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The TLS material of a Server: a CA the operator keeps in the Secret {@code <server>-ca}, and the
 * server certificate it issues into {@code <server>-tls} ({@code tls.crt}, {@code tls.key}, {@code
 * ca.crt}: the files server.yaml names). Kept while valid; issued again when missing, not from the
 * current CA, not naming every Service name, or within 30 days of expiry.
 */
final class ServerTls {
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private final KubernetesClient client;
  private final Children children;

  ServerTls(KubernetesClient client, Children children) {
    this.client = client;
    this.children = children;
  }

  /** The DNS names clients reach the server by, through its Service. */
  static List<String> dnsNames(Server server) {
    String n = server.getMetadata().getName();
    String ns = server.getMetadata().getNamespace();
    return List.of(n + "." + ns + ".svc", n, n + "." + ns, n + "." + ns + ".svc.cluster.local");
  }

  /**
   * Makes sure both Secrets hold valid material.
   *
   * @return what changed, for events; empty when nothing did
   */
  List<String> reconcile(Server server) {
    List<String> changed = new ArrayList<>();
    String ns = server.getMetadata().getNamespace();
    String name = server.getMetadata().getName();
    Secret caSecret = client.secrets().inNamespace(ns).withName(Names.caSecret(name)).get();
    OperatorCa ca = loadCa(caSecret);
    if (ca == null || ca.notAfter().isBefore(Instant.now().plus(RENEW_BEFORE))) {
      ca = OperatorCa.create("Klio CA " + ns + "/" + name);
      children.apply(
          server,
          secret(
              name,
              Names.caSecret(name),
              Map.of("ca.crt", ca.certificatePem(), "ca.key", ca.keyPem())));
      changed.add("issued a new CA in Secret " + Names.caSecret(name));
    }
    Secret tls = client.secrets().inNamespace(ns).withName(Names.tlsSecret(name)).get();
    if (!stillGood(tls, ca, dnsNames(server))) {
      OperatorCa.Issued issued = ca.issueServer(dnsNames(server));
      children.apply(
          server,
          secret(
              name,
              Names.tlsSecret(name),
              Map.of(
                  "tls.crt", issued.certificatePem(),
                  "tls.key", issued.keyPem(),
                  "ca.crt", ca.certificatePem())));
      changed.add("issued the server certificate in Secret " + Names.tlsSecret(name));
    }
    return changed;
  }

  private static OperatorCa loadCa(Secret secret) {
    String cert = text(secret, "ca.crt");
    String key = text(secret, "ca.key");
    if (cert == null || key == null) {
      return null;
    }
    try {
      return OperatorCa.load(cert, key);
    } catch (IllegalArgumentException e) {
      return null; // unreadable: a new CA replaces it
    }
  }

  private static boolean stillGood(Secret tls, OperatorCa ca, List<String> names) {
    String pem = text(tls, "tls.crt");
    if (pem == null
        || text(tls, "tls.key") == null
        || !ca.certificatePem().equals(text(tls, "ca.crt"))) {
      return false;
    }
    try {
      X509Certificate cert = OperatorCa.parse(pem);
      List<String> san = new ArrayList<>();
      if (cert.getSubjectAlternativeNames() != null) {
        cert.getSubjectAlternativeNames().forEach(e -> san.add(String.valueOf(e.get(1))));
      }
      return ca.issued(cert)
          && san.containsAll(names)
          && cert.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
    } catch (IllegalArgumentException | CertificateParsingException e) {
      return false;
    }
  }

  /** The decoded text of one key of a Secret; null when absent. */
  static String text(Secret secret, String key) {
    if (secret == null) {
      return null;
    }
    if (secret.getData() != null && secret.getData().get(key) != null) {
      return new String(
          Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(key);
  }

  static Secret secret(String server, String name, Map<String, String> text) {
    Map<String, String> data = new java.util.TreeMap<>();
    text.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(Names.labels(server))
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }
}
