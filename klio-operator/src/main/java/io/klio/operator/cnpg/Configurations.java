package io.klio.operator.cnpg;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.klio.operator.api.v1alpha1.PluginConfiguration;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec;
import io.klio.operator.api.v1alpha1.ResourceStatus;
import io.klio.operator.api.v1alpha1.Server;
import java.util.Optional;

/**
 * The PluginConfiguration a Cluster names, looked up in the Cluster's namespace, and whether the
 * sidecar can run with it: Ready (its Server is Ready and its sidecar Secret written).
 */
final class Configurations {
  /** What is known of one configuration: its sidecar, or why there is none yet. */
  record Found(Optional<Sidecar.Spec> sidecar, String waitingFor) {}

  private final KubernetesClient client;

  Configurations(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The sidecar of {@code use} (one of {@code cluster}'s uses of the plugin) in the Cluster's
   * namespace, or what it waits for. It streams WAL only for the Cluster's {@code spec.plugins[]}
   * entry, never for its recovery source.
   */
  Found find(ClusterPlugin cluster, ClusterPlugin.Use use) {
    String namespace = cluster.namespace();
    boolean archive = cluster.archive().equals(Optional.of(use));
    Optional<String> pullPolicy = cluster.imagePullPolicy();
    String name = use.pluginConfiguration();
    if (name.isEmpty()) {
      return new Found(
          Optional.empty(),
          String.join(".", use.path()) + " is not set: name a PluginConfiguration");
    }
    PluginConfiguration pc =
        client.resources(PluginConfiguration.class).inNamespace(namespace).withName(name).get();
    if (pc == null) {
      return new Found(
          Optional.empty(),
          "PluginConfiguration " + name + " does not exist in namespace " + namespace);
    }
    if (!ready(pc.getStatus())) {
      return new Found(Optional.empty(), "PluginConfiguration " + name + " is not Ready");
    }
    Server server =
        client
            .resources(Server.class)
            .inNamespace(namespace)
            .withName(pc.getSpec().serverRef())
            .get();
    if (server == null || server.getSpec() == null || server.getSpec().image() == null) {
      return new Found(
          Optional.empty(), "Server " + pc.getSpec().serverRef() + " of " + name + " is gone");
    }
    return new Found(
        Optional.of(
            new Sidecar.Spec(
                server.getSpec().image(),
                name + "-klio",
                pullPolicy,
                archive && pc.getSpec().mode() != PluginConfigurationSpec.Mode.READ_ONLY)),
        "");
  }

  private static boolean ready(ResourceStatus status) {
    return status != null
        && status.conditions() != null
        && status.conditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
