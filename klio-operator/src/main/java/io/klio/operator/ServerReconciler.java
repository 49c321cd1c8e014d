package io.klio.operator;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.klio.operator.Conditions.Fact;
import io.klio.operator.api.v1alpha1.ResourceStatus;
import io.klio.operator.api.v1alpha1.Server;
import io.klio.operator.api.v1alpha1.ServerSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reconciles one {@link Server}: reads the world, computes what it should be and converges, with no
 * memory between runs. It makes the TLS material, the configuration Secret, the Service and the
 * StatefulSet (all owned by the Server, so that deleting it deletes them), grows the Tier 1 PVCs
 * when the size grows, refuses to shrink them, and writes the status. Safe to call any number of
 * times, from one thread at a time per Server.
 */
public final class ServerReconciler {
  private final KubernetesClient client;
  private final Children children;
  private final Events events;
  private final ServerTls tls;

  /** A reconciler that works through {@code client}. */
  public ServerReconciler(KubernetesClient client) {
    this.client = client;
    this.children = new Children(client);
    this.events = new Events(client);
    this.tls = new ServerTls(client, children);
  }

  /** Reconciles the Server {@code namespace/name}; nothing when it does not exist (any more). */
  public void reconcile(String namespace, String name) {
    Server server = client.resources(Server.class).inNamespace(namespace).withName(name).get();
    if (server == null || server.getMetadata().getDeletionTimestamp() != null) {
      return; // its children go with it: they are owned by it
    }
    ServerSpec spec = server.getSpec();
    Optional<String> invalid = ServerValidation.check(spec);
    if (invalid.isPresent()) {
      refuse(server, "InvalidSpec", invalid.get(), null);
      return;
    }
    tls.reconcile(server).forEach(what -> events.normal(server, "Issued", capital(what)));
    String yaml = ServerConfig.render(spec);
    note(
        server,
        "Secret",
        Names.configSecret(name),
        children.apply(
            server, ServerTls.secret(name, Names.configSecret(name), Map.of("server.yaml", yaml))));
    note(server, "Service", name, children.apply(server, ServerWorkload.service(server)));

    StatefulSet live = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    Tier1Volume volume = Tier1Volume.of(spec, live, pvcs(namespace, name, live));
    String grew = volume.grow(client, namespace);
    if (grew != null) {
      events.normal(server, "VolumeGrown", grew);
    }
    Secret tlsSecret =
        client.secrets().inNamespace(namespace).withName(Names.tlsSecret(name)).get();
    String configHash =
        Children.hash(yaml + tlsSecret.getMetadata().getAnnotations().get(Names.SPEC_HASH));
    StatefulSet desired =
        ServerWorkload.statefulSet(server, volume.claimTemplate(), volume.applied(), configHash);
    Children.Outcome outcome = children.apply(server, desired);
    note(server, "StatefulSet", name, outcome);

    List<Fact> facts = new ArrayList<>();
    String waiting =
        outcome == Children.Outcome.UNCHANGED
            ? rolloutWaiting(live)
            : "waiting for the StatefulSet controller";
    if (waiting == null) {
      facts.add(new Fact(Conditions.READY, true, "ServerReady", "the Klio server is ready"));
      facts.add(new Fact(Conditions.PROGRESSING, false, "RolledOut", "the server runs its spec"));
    } else {
      facts.add(new Fact(Conditions.READY, false, "RolloutInProgress", waiting));
      facts.add(new Fact(Conditions.PROGRESSING, true, "RolloutInProgress", waiting));
    }
    Optional<String> refusal = volume.refusal();
    if (refusal.isPresent()) {
      facts.add(new Fact(Conditions.DEGRADED, true, volume.refusalReason(), refusal.get()));
      warnOnce(server, volume.refusalReason(), refusal.get());
    } else {
      facts.add(new Fact(Conditions.DEGRADED, false, "AsSpecified", "the spec is applied"));
    }
    writeStatus(server, facts, volume.applied());
  }

  private void refuse(Server server, String reason, String message, String tier1Size) {
    warnOnce(server, reason, message);
    writeStatus(
        server,
        List.of(
            new Fact(Conditions.READY, false, reason, message),
            new Fact(Conditions.PROGRESSING, false, reason, message),
            new Fact(Conditions.DEGRADED, true, reason, message)),
        tier1Size);
  }

  /** A warning event when this refusal is new, not at every reconciliation. */
  private void warnOnce(Server server, String reason, String message) {
    ResourceStatus old = server.getStatus();
    boolean known =
        reason.equals(Conditions.reason(old, Conditions.DEGRADED))
            && old.conditions().stream().anyMatch(c -> message.equals(c.getMessage()));
    if (!known) {
      events.warning(server, reason, message);
    }
  }

  private void writeStatus(Server server, List<Fact> facts, String tier1Size) {
    ResourceStatus old = server.getStatus();
    ResourceStatus next =
        Conditions.status(old, server.getMetadata().getGeneration(), tier1Size, facts);
    if (!next.equals(old)) {
      server.setStatus(next);
      client.resources(Server.class).resource(server).updateStatus();
    }
  }

  private void note(Server server, String kind, String name, Children.Outcome outcome) {
    switch (outcome) {
      case CREATED -> events.normal(server, "Created", "created " + kind + " " + name);
      case UPDATED -> events.normal(server, "Updated", "updated " + kind + " " + name);
      case UNCHANGED -> {}
    }
  }

  /** Why the StatefulSet is not rolled out and ready yet; null when it is. */
  private static String rolloutWaiting(StatefulSet live) {
    StatefulSetStatus st = live == null ? null : live.getStatus();
    if (st == null) {
      return "waiting for the StatefulSet controller";
    }
    long generation = Objects.requireNonNullElse(live.getMetadata().getGeneration(), 0L);
    if (Objects.requireNonNullElse(st.getObservedGeneration(), 0L) < generation) {
      return "waiting for the StatefulSet controller to see generation " + generation;
    }
    int ready = Objects.requireNonNullElse(st.getReadyReplicas(), 0);
    int updated = Objects.requireNonNullElse(st.getUpdatedReplicas(), 0);
    if (ready < 1 || updated < 1) {
      return "waiting for the server pod: " + ready + " of 1 ready, " + updated + " of 1 updated";
    }
    return null;
  }

  private List<PersistentVolumeClaim> pvcs(String namespace, String name, StatefulSet live) {
    if (live == null) {
      return List.of();
    }
    PersistentVolumeClaim pvc =
        client.persistentVolumeClaims().inNamespace(namespace).withName(Names.pvc(name, 0)).get();
    return pvc == null ? List.of() : List.of(pvc);
  }

  static BigDecimal bytes(Quantity q) {
    return ServerValidation.bytes(q).orElse(BigDecimal.ZERO);
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
