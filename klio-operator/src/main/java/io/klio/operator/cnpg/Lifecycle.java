package io.klio.operator.cnpg;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleCapabilities;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleCapabilitiesRequest;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleCapabilitiesResponse;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleGrpc;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleRequest;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleResponse;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorOperationType;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * CNPG-I {@code OperatorLifecycle}: the sidecar ({@link Sidecar}) for every instance Pod of a
 * Cluster that uses the plugin (on create, and on evaluation, where a non-empty patch makes
 * CloudNativePG roll the Pod), and for the recovery Jobs of CloudNativePG 1.30 and older. On
 * CloudNativePG's main branch the bootstrap runs inside the instance Pod, which is why the Pod gets
 * the sidecar of the recovery source until the Cluster has a primary.
 *
 * <p>When the PluginConfiguration is missing or not Ready the call fails (FAILED_PRECONDITION,
 * saying what it waits for): CloudNativePG then creates nothing and retries, rather than starting
 * an instance without its archive.
 */
final class Lifecycle extends OperatorLifecycleGrpc.OperatorLifecycleImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final Configurations configurations;

  Lifecycle(Configurations configurations) {
    this.configurations = configurations;
  }

  @Override
  public void getCapabilities(
      OperatorLifecycleCapabilitiesRequest request,
      StreamObserver<OperatorLifecycleCapabilitiesResponse> response) {
    response.onNext(
        OperatorLifecycleCapabilitiesResponse.newBuilder()
            .addLifecycleCapabilities(
                OperatorLifecycleCapabilities.newBuilder()
                    .setGroup("")
                    .setKind("Pod")
                    .addOperationTypes(type(OperatorOperationType.Type.TYPE_CREATE))
                    .addOperationTypes(type(OperatorOperationType.Type.TYPE_EVALUATE)))
            .addLifecycleCapabilities(
                OperatorLifecycleCapabilities.newBuilder()
                    .setGroup("batch")
                    .setKind("Job")
                    .addOperationTypes(type(OperatorOperationType.Type.TYPE_CREATE)))
            .build());
    response.onCompleted();
  }

  private static OperatorOperationType type(OperatorOperationType.Type t) {
    return OperatorOperationType.newBuilder().setType(t).build();
  }

  @Override
  public void lifecycleHook(
      OperatorLifecycleRequest request, StreamObserver<OperatorLifecycleResponse> response) {
    OperatorOperationType.Type op = request.getOperationType().getType();
    if (op != OperatorOperationType.Type.TYPE_CREATE
        && op != OperatorOperationType.Type.TYPE_EVALUATE) {
      response.onNext(OperatorLifecycleResponse.getDefaultInstance());
      response.onCompleted();
      return;
    }
    ClusterPlugin cluster;
    JsonNode object;
    try {
      cluster = ClusterPlugin.parse(request.getClusterDefinition().toByteArray());
      object = ClusterPlugin.JSON.readTree(request.getObjectDefinition().toByteArray());
    } catch (RuntimeException e) {
      response.onError(ClusterValidation.invalid("cluster_definition or object_definition", e));
      return;
    }
    String kind = object.path("kind").asString("");
    boolean job = kind.equals("Job");
    if (!job && !kind.equals("Pod")) {
      response.onNext(OperatorLifecycleResponse.getDefaultInstance());
      response.onCompleted();
      return;
    }
    if (job
        && Sidecar.jobRole(object).map(r -> !Sidecar.RECOVERY_JOB_ROLES.contains(r)).orElse(true)) {
      response.onNext(OperatorLifecycleResponse.getDefaultInstance()); // initdb, join, …
      response.onCompleted();
      return;
    }
    Optional<ClusterPlugin.Use> use = cluster.sidecar(job);
    if (use.isEmpty()) {
      response.onNext(OperatorLifecycleResponse.getDefaultInstance());
      response.onCompleted();
      return;
    }
    Configurations.Found found = configurations.find(cluster, use.get());
    if (found.sidecar().isEmpty()) {
      String what = kind + " " + object.path("metadata").path("name").asString("");
      response.onError(
          Status.FAILED_PRECONDITION
              .withDescription(
                  "klio: no sidecar for "
                      + what
                      + " of Cluster "
                      + cluster.name()
                      + " yet: "
                      + found.waitingFor())
              .asRuntimeException());
      return;
    }
    byte[] patch;
    try {
      patch =
          job
              ? Sidecar.jobPatch(object, found.sidecar().get())
              : Sidecar.podPatch(object, found.sidecar().get());
    } catch (IllegalArgumentException e) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("object_definition: " + e.getMessage())
              .asRuntimeException());
      return;
    }
    if (patch.length > 0) {
      LOG.info(
          "{} {} of Cluster {}/{}: sidecar {} with Secret {}",
          op == OperatorOperationType.Type.TYPE_CREATE ? "creating" : "updating",
          kind + " " + object.path("metadata").path("name").asString(""),
          cluster.namespace(),
          cluster.name(),
          found.sidecar().get().image(),
          found.sidecar().get().secret());
    }
    response.onNext(
        OperatorLifecycleResponse.newBuilder().setJsonPatch(ByteString.copyFrom(patch)).build());
    response.onCompleted();
  }
}
