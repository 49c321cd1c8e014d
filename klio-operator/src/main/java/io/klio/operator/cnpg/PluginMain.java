package io.klio.operator.cnpg;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Starts the operator-side plugin from the operator's environment (the Helm chart sets it): {@code
 * KLIO_PLUGIN_PORT} (default {@value #DEFAULT_PORT}), {@code KLIO_PLUGIN_SERVICE} (the plugin
 * Service, default {@code klio-plugin}), {@code KLIO_PLUGIN_SERVER_SECRET} and {@code
 * KLIO_PLUGIN_CLIENT_SECRET} (defaults {@code klio-plugin-server-tls}, {@code
 * klio-plugin-client-tls}), in {@code OPERATOR_NAMESPACE} (default: the client's namespace, in a
 * Pod its service account's).
 */
public final class PluginMain {
  static final int DEFAULT_PORT = 9090;

  private PluginMain() {}

  /** The plugin server, serving. */
  public static OperatorPluginServer start(KubernetesClient client, Map<String, String> env)
      throws IOException {
    String namespace =
        env.getOrDefault(
            "OPERATOR_NAMESPACE", env.getOrDefault("POD_NAMESPACE", client.getNamespace()));
    if (namespace == null || namespace.isEmpty()) {
      throw new IOException(
          "OPERATOR_NAMESPACE is not set and the Kubernetes client has no namespace: set it to the"
              + " namespace the operator and its plugin Service run in");
    }
    String portText = env.getOrDefault("KLIO_PLUGIN_PORT", String.valueOf(DEFAULT_PORT));
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IOException("KLIO_PLUGIN_PORT: '" + portText + "' is not a port number", e);
    }
    PluginTls.Pair tls =
        PluginTls.ensure(
            client,
            namespace,
            dnsNames(env, namespace),
            env.getOrDefault("KLIO_PLUGIN_SERVER_SECRET", "klio-plugin-server-tls"),
            env.getOrDefault("KLIO_PLUGIN_CLIENT_SECRET", "klio-plugin-client-tls"));
    String version = PluginMain.class.getPackage().getImplementationVersion();
    return OperatorPluginServer.start(
        port, tls.server(), client, version == null ? "dev" : version);
  }

  private static List<String> dnsNames(Map<String, String> env, String namespace) {
    String names = env.get("KLIO_PLUGIN_DNS_NAMES");
    if (names != null && !names.isBlank()) {
      return Arrays.stream(names.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
    }
    String service = env.getOrDefault("KLIO_PLUGIN_SERVICE", "klio-plugin");
    return List.of(
        service,
        service + "." + namespace,
        service + "." + namespace + ".svc",
        service + "." + namespace + ".svc.cluster.local");
  }
}
