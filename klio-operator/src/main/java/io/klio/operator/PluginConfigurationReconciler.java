package io.klio.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.klio.operator.Conditions.Fact;
import io.klio.operator.api.v1alpha1.PluginConfiguration;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec.Mode;
import io.klio.operator.api.v1alpha1.ResourceStatus;
import io.klio.operator.api.v1alpha1.Server;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles one {@link PluginConfiguration}: validates it (a contradiction is refused with a
 * condition and an event naming the field) and makes it Ready only while its Server is Ready. Once
 * the Server is Ready it keeps the Secret the plugin sidecar runs with ({@link
 * PluginClientSecret}), owned by the configuration. Safe to call any number of times.
 */
public final class PluginConfigurationReconciler {
  private final KubernetesClient client;
  private final Events events;
  private final PluginClientSecret clientSecret;

  /** A reconciler that works through {@code client}. */
  public PluginConfigurationReconciler(KubernetesClient client) {
    this.client = client;
    this.events = new Events(client);
    this.clientSecret = new PluginClientSecret(client);
  }

  /** Reconciles {@code namespace/name}; nothing when it does not exist. */
  public void reconcile(String namespace, String name) {
    PluginConfiguration pc =
        client.resources(PluginConfiguration.class).inNamespace(namespace).withName(name).get();
    if (pc == null || pc.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    PluginConfigurationSpec spec = pc.getSpec();
    Optional<String> invalid = PluginConfigurationValidation.check(spec);
    Server server =
        invalid.isPresent()
            ? null
            : client
                .resources(Server.class)
                .inNamespace(namespace)
                .withName(spec.serverRef())
                .get();
    if (invalid.isEmpty()
        && server != null
        && spec.mode() == Mode.READ_ONLY
        && (server.getSpec() == null || server.getSpec().tier2() == null)) {
      invalid =
          Optional.of(
              "spec.mode: read-only restores from Tier 2, and Server "
                  + spec.serverRef()
                  + " has no spec.tier2; add one to the Server, or set spec.mode to standard");
    }
    if (invalid.isPresent()) {
      String m = invalid.get();
      if (!m.equals(message(pc.getStatus(), Conditions.DEGRADED))) {
        events.warning(pc, "InvalidSpec", m);
      }
      write(
          pc,
          List.of(
              new Fact(Conditions.READY, false, "InvalidSpec", m),
              new Fact(Conditions.PROGRESSING, false, "InvalidSpec", m),
              new Fact(Conditions.DEGRADED, true, "InvalidSpec", m)));
      return;
    }
    Fact valid = new Fact(Conditions.DEGRADED, false, "Valid", "the configuration is valid");
    if (server == null) {
      String m = "Server " + spec.serverRef() + " does not exist in namespace " + namespace;
      write(
          pc,
          List.of(
              new Fact(Conditions.READY, false, "ServerNotFound", m),
              new Fact(Conditions.PROGRESSING, true, "ServerNotFound", m),
              valid));
    } else if (!Conditions.isTrue(server.getStatus(), Conditions.READY)) {
      String m = "waiting for Server " + spec.serverRef() + " to be Ready";
      write(
          pc,
          List.of(
              new Fact(Conditions.READY, false, "ServerNotReady", m),
              new Fact(Conditions.PROGRESSING, true, "ServerNotReady", m),
              valid));
    } else {
      if (clientSecret.reconcile(pc, server)) {
        events.normal(
            pc,
            "SidecarSecret",
            "wrote Secret "
                + PluginClientSecret.name(pc.getMetadata().getName())
                + " (client.yaml and a certificate for cluster "
                + PluginClientSecret.clusterName(pc)
                + ")");
      }
      if (!Conditions.isTrue(pc.getStatus(), Conditions.READY)) {
        events.normal(pc, "Ready", "Server " + spec.serverRef() + " is Ready");
      }
      write(
          pc,
          List.of(
              new Fact(
                  Conditions.READY,
                  true,
                  "ServerReady",
                  "Server " + spec.serverRef() + " is Ready"),
              new Fact(Conditions.PROGRESSING, false, "ServerReady", "nothing to wait for"),
              valid));
    }
  }

  private void write(PluginConfiguration pc, List<Fact> facts) {
    ResourceStatus old = pc.getStatus();
    ResourceStatus next = Conditions.status(old, pc.getMetadata().getGeneration(), null, facts);
    if (!next.equals(old)) {
      pc.setStatus(next);
      client.resources(PluginConfiguration.class).resource(pc).updateStatus();
    }
  }

  private static String message(ResourceStatus status, String type) {
    if (status == null || status.conditions() == null) {
      return null;
    }
    return status.conditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> c.getMessage())
        .findFirst()
        .orElse(null);
  }
}
