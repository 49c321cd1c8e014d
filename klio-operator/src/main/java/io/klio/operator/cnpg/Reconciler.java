package io.klio.operator.cnpg;

import io.grpc.stub.StreamObserver;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksCapabilitiesRequest;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksCapabilitiesResult;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksCapability;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksGrpc;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksRequest;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksResult;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CNPG-I {@code ReconcilerHooks}: before CloudNativePG reconciles a Cluster that uses the plugin,
 * it waits ({@code BEHAVIOR_REQUEUE}, every {@value #REQUEUE_SECONDS} s) while the
 * PluginConfiguration the Cluster names is missing or not Ready; so no instance starts without the
 * archive it is meant to have. After reconciliation nothing is done.
 */
final class Reconciler extends ReconcilerHooksGrpc.ReconcilerHooksImplBase {
  static final long REQUEUE_SECONDS = 10;
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final Configurations configurations;

  Reconciler(Configurations configurations) {
    this.configurations = configurations;
  }

  @Override
  public void getCapabilities(
      ReconcilerHooksCapabilitiesRequest request,
      StreamObserver<ReconcilerHooksCapabilitiesResult> response) {
    response.onNext(
        ReconcilerHooksCapabilitiesResult.newBuilder()
            .addReconcilerCapabilities(
                ReconcilerHooksCapability.newBuilder()
                    .setKind(ReconcilerHooksCapability.Kind.KIND_CLUSTER))
            .build());
    response.onCompleted();
  }

  @Override
  public void pre(ReconcilerHooksRequest request, StreamObserver<ReconcilerHooksResult> response) {
    ClusterPlugin cluster;
    try {
      cluster = ClusterPlugin.parse(request.getClusterDefinition().toByteArray());
    } catch (RuntimeException e) {
      response.onError(ClusterValidation.invalid("cluster_definition", e));
      return;
    }
    // what the next Pod would run with: the recovery source while bootstrapping, else the archive
    Optional<ClusterPlugin.Use> use = cluster.sidecar(false);
    ReconcilerHooksResult.Builder r =
        ReconcilerHooksResult.newBuilder()
            .setBehavior(ReconcilerHooksResult.Behavior.BEHAVIOR_CONTINUE);
    if (use.isPresent()) {
      Configurations.Found found = configurations.find(cluster, use.get());
      if (found.sidecar().isEmpty()) {
        LOG.info(
            "Cluster {}/{} waits: {}", cluster.namespace(), cluster.name(), found.waitingFor());
        r.setBehavior(ReconcilerHooksResult.Behavior.BEHAVIOR_REQUEUE)
            .setRequeueAfter(REQUEUE_SECONDS);
      }
    }
    response.onNext(r.build());
    response.onCompleted();
  }

  @Override
  public void post(ReconcilerHooksRequest request, StreamObserver<ReconcilerHooksResult> response) {
    response.onNext(
        ReconcilerHooksResult.newBuilder()
            .setBehavior(ReconcilerHooksResult.Behavior.BEHAVIOR_CONTINUE)
            .build());
    response.onCompleted();
  }
}
