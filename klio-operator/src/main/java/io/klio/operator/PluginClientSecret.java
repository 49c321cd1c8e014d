package io.klio.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.klio.operator.api.v1alpha1.PluginConfiguration;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec;
import io.klio.operator.api.v1alpha1.Server;
import io.klio.operator.tls.OperatorCa;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;

/**
 * The Secret the plugin sidecar of a CloudNativePG instance runs with, {@code
 * <configuration>-klio}: its {@code client.yaml} (docs/configuration.md) and a client certificate
 * whose CN is the configuration's cluster name, issued by the Server's CA (the CA the server trusts
 * its clients by), so the sidecar can act for that one cluster only. The sidecar mounts it at
 * {@link #DIR}; neither it nor the sidecar needs Kubernetes API access. The certificate is kept
 * while it is valid, from the current CA and for the current cluster name; otherwise it is issued
 * again.
 */
final class PluginClientSecret {
  /** Where the sidecar mounts the Secret. */
  static final String DIR = "/etc/klio/client";

  /** The unix socket directory of the instance's PostgreSQL in a CloudNativePG Pod. */
  static final String PG_SOCKET_DIR = "/controller/run";

  private final KubernetesClient client;
  private final Children children;

  PluginClientSecret(KubernetesClient client) {
    this.client = client;
    this.children = new Children(client);
  }

  static String name(String pluginConfiguration) {
    return pluginConfiguration + "-klio";
  }

  /** The cluster name a configuration archives under. */
  static String clusterName(PluginConfiguration pc) {
    String n = pc.getSpec().clusterName();
    return n == null || n.isBlank() ? pc.getMetadata().getName() : n;
  }

  /**
   * Makes sure the Secret of {@code pc} holds a valid configuration and certificate for {@code
   * server}, whose CA Secret must exist.
   *
   * @return whether the Secret was written
   */
  boolean reconcile(PluginConfiguration pc, Server server) {
    String ns = pc.getMetadata().getNamespace();
    String serverName = server.getMetadata().getName();
    Secret caSecret = client.secrets().inNamespace(ns).withName(Names.caSecret(serverName)).get();
    String caPem = ServerTls.text(caSecret, "ca.crt");
    String caKey = ServerTls.text(caSecret, "ca.key");
    if (caPem == null || caKey == null) {
      throw new IllegalStateException(
          "Secret " + Names.caSecret(serverName) + " holds no CA yet; the Server is not ready");
    }
    OperatorCa ca = OperatorCa.load(caPem, caKey);
    String cluster = clusterName(pc);
    String yaml = clientYaml(pc.getSpec(), cluster, server);
    Secret live = client.secrets().inNamespace(ns).withName(name(pc.getMetadata().getName())).get();
    String cert = ServerTls.text(live, "tls.crt");
    String key = ServerTls.text(live, "tls.key");
    if (!stillGood(cert, key, ServerTls.text(live, "ca.crt"), ca, cluster)) {
      OperatorCa.Issued issued = ca.issueClient(cluster);
      cert = issued.certificatePem();
      key = issued.keyPem();
    }
    Secret desired =
        ServerTls.secret(
            serverName,
            name(pc.getMetadata().getName()),
            Map.of(
                "client.yaml",
                yaml,
                "tls.crt",
                cert,
                "tls.key",
                key,
                "ca.crt",
                ca.certificatePem()));
    return children.apply(pc, desired) != Children.Outcome.UNCHANGED;
  }

  /** The sidecar's client.yaml: the server through its Service, the mounted TLS files. */
  static String clientYaml(PluginConfigurationSpec spec, String cluster, Server server) {
    String host = ServerTls.dnsNames(server).get(0);
    StringBuilder y = new StringBuilder();
    y.append("# written by the klio operator from PluginConfiguration; edits are overwritten\n");
    y.append("cluster: ").append(cluster).append('\n');
    y.append("server: ").append(host).append(':').append(Names.GRPC_PORT).append('\n');
    y.append("tls:\n");
    y.append("  certificate: ").append(DIR).append("/tls.crt\n");
    y.append("  key: ").append(DIR).append("/tls.key\n");
    y.append("  ca: ").append(DIR).append("/ca.crt\n");
    y.append("  serverName: ").append(host).append('\n');
    y.append("postgres:\n");
    y.append("  connection: host=")
        .append(PG_SOCKET_DIR)
        .append(" user=postgres dbname=postgres\n");
    y.append("  synchronous: ").append(Boolean.TRUE.equals(spec.synchronous())).append('\n');
    y.append("getWal:\n");
    y.append("  spool: /controller/klio-wal-spool\n");
    y.append("  prefetch: ")
        .append(spec.walPrefetch() == null ? 4 : spec.walPrefetch())
        .append('\n');
    y.append("log:\n  format: json\n  level: info\n");
    return y.toString();
  }

  private static boolean stillGood(
      String certPem, String keyPem, String caPem, OperatorCa ca, String cluster) {
    if (certPem == null || keyPem == null || !ca.certificatePem().equals(caPem)) {
      return false;
    }
    try {
      X509Certificate cert = OperatorCa.parse(certPem);
      return ca.issued(cert)
          && cert.getSubjectX500Principal().getName().equals("CN=" + cluster)
          && cert.getNotAfter().toInstant().isAfter(Instant.now().plus(ServerTls.RENEW_BEFORE));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
