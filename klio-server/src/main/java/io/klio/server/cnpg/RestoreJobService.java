package io.klio.server.cnpg;

import io.grpc.stub.StreamObserver;
import io.klio.cnpgi.restorejob.v1.RestoreJobHooksCapabilitiesRequest;
import io.klio.cnpgi.restorejob.v1.RestoreJobHooksCapabilitiesResult;
import io.klio.cnpgi.restorejob.v1.RestoreJobHooksCapability;
import io.klio.cnpgi.restorejob.v1.RestoreJobHooksGrpc;
import io.klio.cnpgi.restorejob.v1.RestoreRequest;
import io.klio.cnpgi.restorejob.v1.RestoreResponse;

/**
 * CNPG-I {@code RestoreJobHooks} (package {@code cnpgi.wal.v1}, a quirk of the contract): RESTORE,
 * a base backup into the new instance's data directory ({@link PluginRestore}). CloudNativePG calls
 * it in the {@code full-recovery} Job (1.30 and before) or in the instance Pod's bootstrap (its
 * main branch); {@code check_empty_wal_archive} (cnpg-i v0.6.0, absent from released CloudNativePG)
 * changes nothing: the plugin archives no WAL through CloudNativePG, and the Klio server refuses
 * WAL of another database system under a cluster's name.
 */
final class RestoreJobService extends RestoreJobHooksGrpc.RestoreJobHooksImplBase {

  private final PluginRestore restores;

  RestoreJobService(PluginRestore restores) {
    this.restores = restores;
  }

  @Override
  public void getCapabilities(
      RestoreJobHooksCapabilitiesRequest request,
      StreamObserver<RestoreJobHooksCapabilitiesResult> response) {
    HookCalls.reply(
        response,
        RestoreJobHooksCapabilitiesResult.newBuilder()
            .addCapabilities(
                RestoreJobHooksCapability.newBuilder()
                    .setKind(RestoreJobHooksCapability.Kind.KIND_RESTORE))
            .build());
  }

  @Override
  public void restore(RestoreRequest request, StreamObserver<RestoreResponse> response) {
    HookCalls.answer(response, () -> restores.run(request));
  }
}
