package io.klio.operator.cnpg;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.klio.cnpgi.operator.v1.DeregisterRequest;
import io.klio.cnpgi.operator.v1.DeregisterResponse;
import io.klio.cnpgi.operator.v1.OperatorCapabilitiesRequest;
import io.klio.cnpgi.operator.v1.OperatorCapabilitiesResult;
import io.klio.cnpgi.operator.v1.OperatorCapability;
import io.klio.cnpgi.operator.v1.OperatorGrpc;
import io.klio.cnpgi.operator.v1.OperatorValidateClusterChangeRequest;
import io.klio.cnpgi.operator.v1.OperatorValidateClusterChangeResult;
import io.klio.cnpgi.operator.v1.OperatorValidateClusterCreateRequest;
import io.klio.cnpgi.operator.v1.OperatorValidateClusterCreateResult;
import io.klio.cnpgi.operator.v1.ValidationError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CNPG-I {@code Operator}: CloudNativePG's admission webhook asks it whether a Cluster's use of the
 * plugin is valid, on create and on change ({@link ClusterPlugin#problems}); each refusal names the
 * field. A change that moves a running Cluster to another PluginConfiguration is refused too: its
 * WAL would go on under another cluster name, with a gap in the first. Mutation and status are not
 * offered; Deregister does nothing (the operator keeps no per-Cluster state).
 */
final class ClusterValidation extends OperatorGrpc.OperatorImplBase {
  @Override
  public void getCapabilities(
      OperatorCapabilitiesRequest request, StreamObserver<OperatorCapabilitiesResult> response) {
    OperatorCapabilitiesResult.Builder b = OperatorCapabilitiesResult.newBuilder();
    for (OperatorCapability.RPC.Type t :
        new OperatorCapability.RPC.Type[] {
          OperatorCapability.RPC.Type.TYPE_VALIDATE_CLUSTER_CREATE,
          OperatorCapability.RPC.Type.TYPE_VALIDATE_CLUSTER_CHANGE,
          OperatorCapability.RPC.Type.TYPE_DEREGISTER
        }) {
      b.addCapabilities(
          OperatorCapability.newBuilder().setRpc(OperatorCapability.RPC.newBuilder().setType(t)));
    }
    response.onNext(b.build());
    response.onCompleted();
  }

  @Override
  public void validateClusterCreate(
      OperatorValidateClusterCreateRequest request,
      StreamObserver<OperatorValidateClusterCreateResult> response) {
    ClusterPlugin cluster;
    try {
      cluster = ClusterPlugin.parse(request.getDefinition().toByteArray());
    } catch (RuntimeException e) {
      response.onError(invalid("definition", e));
      return;
    }
    response.onNext(
        OperatorValidateClusterCreateResult.newBuilder()
            .addAllValidationErrors(errors(cluster.problems()))
            .build());
    response.onCompleted();
  }

  @Override
  public void validateClusterChange(
      OperatorValidateClusterChangeRequest request,
      StreamObserver<OperatorValidateClusterChangeResult> response) {
    ClusterPlugin before;
    ClusterPlugin after;
    try {
      before = ClusterPlugin.parse(request.getOldCluster().toByteArray());
      after = ClusterPlugin.parse(request.getNewCluster().toByteArray());
    } catch (RuntimeException e) {
      response.onError(invalid("old_cluster or new_cluster", e));
      return;
    }
    List<ClusterPlugin.Problem> problems = new ArrayList<>(after.problems());
    Optional<ClusterPlugin.Use> was = before.archive();
    Optional<ClusterPlugin.Use> now = after.archive();
    if (was.isPresent()
        && now.isPresent()
        && !was.get().pluginConfiguration().isEmpty()
        && !was.get().pluginConfiguration().equals(now.get().pluginConfiguration())) {
      problems.add(
          new ClusterPlugin.Problem(
              now.get().path(),
              now.get().pluginConfiguration(),
              "the Cluster archives with PluginConfiguration "
                  + was.get().pluginConfiguration()
                  + "; moving it to another would split its WAL between two archives. Change"
                  + " that PluginConfiguration instead, or disable the plugin first"));
    }
    response.onNext(
        OperatorValidateClusterChangeResult.newBuilder()
            .addAllValidationErrors(errors(problems))
            .build());
    response.onCompleted();
  }

  @Override
  public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> response) {
    response.onNext(DeregisterResponse.getDefaultInstance());
    response.onCompleted();
  }

  static Throwable invalid(String field, RuntimeException e) {
    return Status.INVALID_ARGUMENT
        .withDescription(field + ": not a Cluster: " + e.getMessage())
        .asRuntimeException();
  }

  private static List<ValidationError> errors(List<ClusterPlugin.Problem> problems) {
    return problems.stream()
        .map(
            p ->
                ValidationError.newBuilder()
                    .addAllPathComponents(p.path())
                    .setValue(p.value())
                    .setMessage(p.message())
                    .build())
        .toList();
  }
}
