package io.klio.operator.cnpg;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.klio.operator.tls.OperatorCa;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mutual TLS between CloudNativePG's operator and this one: the two Secrets the plugin
 * Service's annotations name ({@code cnpg.io/pluginServerSecret}, {@code
 * cnpg.io/pluginClientSecret}), each with {@code tls.crt}, {@code tls.key} and {@code ca.crt}.
 * CloudNativePG presents the client Secret's pair and trusts the server Secret's {@code tls.crt}.
 *
 * <p>When both Secrets hold a pair (cert-manager made them, per the Helm chart's {@code
 * certManager.enabled}) they are used as they are. Otherwise the operator keeps a CA of its own in
 * {@code <server secret>-ca} and issues both, again when one is missing, from another CA, or within
 * 30 days of expiry.
 */
public final class PluginTls {
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  /** The material one side of the connection uses. */
  public record Material(String certificatePem, String keyPem, String trustPem) {}

  /** Both sides: what this operator serves with, what CloudNativePG's operator presents. */
  public record Pair(Material server, Material client) {}

  private PluginTls() {}

  /**
   * The material in {@code namespace}, made when needed.
   *
   * @param dnsNames the plugin Service's DNS names, which the server certificate must name
   */
  public static Pair ensure(
      KubernetesClient client,
      String namespace,
      List<String> dnsNames,
      String serverSecret,
      String clientSecret) {
    Secret server = client.secrets().inNamespace(namespace).withName(serverSecret).get();
    Secret clientS = client.secrets().inNamespace(namespace).withName(clientSecret).get();
    boolean external = !ours(server) && !ours(clientS) && pair(server) && pair(clientS);
    if (external) {
      return new Pair(material(server, clientS), material(clientS, server));
    }
    String caName = serverSecret + "-ca";
    Secret caSecret = client.secrets().inNamespace(namespace).withName(caName).get();
    OperatorCa ca = null;
    if (text(caSecret, "ca.crt") != null && text(caSecret, "ca.key") != null) {
      try {
        ca = OperatorCa.load(text(caSecret, "ca.crt"), text(caSecret, "ca.key"));
      } catch (IllegalArgumentException e) {
        ca = null;
      }
    }
    if (ca == null || ca.notAfter().isBefore(Instant.now().plus(RENEW_BEFORE))) {
      ca = OperatorCa.create("Klio plugin CA " + namespace);
      write(
          client, namespace, caName, Map.of("ca.crt", ca.certificatePem(), "ca.key", ca.keyPem()));
    }
    if (!good(server, ca)) {
      OperatorCa.Issued s = ca.issueServer(dnsNames);
      write(client, namespace, serverSecret, tls(s, ca));
      server = client.secrets().inNamespace(namespace).withName(serverSecret).get();
    }
    if (!good(clientS, ca)) {
      OperatorCa.Issued c = ca.issueClient("cloudnative-pg");
      write(client, namespace, clientSecret, tls(c, ca));
      clientS = client.secrets().inNamespace(namespace).withName(clientSecret).get();
    }
    return new Pair(material(server, clientS), material(clientS, server));
  }

  /** This side's pair, trusting what the other side's certificate was issued by. */
  private static Material material(Secret mine, Secret other) {
    String trust = text(other, "ca.crt");
    return new Material(
        text(mine, "tls.crt"),
        text(mine, "tls.key"),
        trust != null ? trust : text(other, "tls.crt"));
  }

  private static Map<String, String> tls(OperatorCa.Issued issued, OperatorCa ca) {
    return Map.of(
        "tls.crt", issued.certificatePem(),
        "tls.key", issued.keyPem(),
        "ca.crt", ca.certificatePem());
  }

  private static boolean pair(Secret s) {
    return text(s, "tls.crt") != null && text(s, "tls.key") != null;
  }

  private static boolean ours(Secret s) {
    return s != null
        && s.getMetadata().getLabels() != null
        && "klio-operator".equals(s.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
  }

  private static boolean good(Secret s, OperatorCa ca) {
    if (!pair(s) || !ca.certificatePem().equals(text(s, "ca.crt"))) {
      return false;
    }
    try {
      X509Certificate cert = OperatorCa.parse(text(s, "tls.crt"));
      return ca.issued(cert)
          && cert.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void write(
      KubernetesClient client, String namespace, String name, Map<String, String> text) {
    Map<String, String> data = new TreeMap<>();
    text.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    Secret s =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(
                Map.of(
                    "app.kubernetes.io/name", "klio-operator",
                    "app.kubernetes.io/managed-by", "klio-operator"))
            .endMetadata()
            .withType("kubernetes.io/tls")
            .withData(data)
            .build();
    client.secrets().inNamespace(namespace).resource(s).createOr(op -> op.update());
  }

  static String text(Secret secret, String key) {
    if (secret == null || secret.getData() == null || secret.getData().get(key) == null) {
      return secret == null || secret.getStringData() == null
          ? null
          : secret.getStringData().get(key);
    }
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
