package io.klio.server.cnpg;

import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.klio.cnpgi.wal.v1.WALCapabilitiesRequest;
import io.klio.cnpgi.wal.v1.WALCapabilitiesResult;
import io.klio.cnpgi.wal.v1.WALCapability;
import io.klio.cnpgi.wal.v1.WALGrpc;
import io.klio.cnpgi.wal.v1.WALRestoreRequest;
import io.klio.cnpgi.wal.v1.WALRestoreResult;

/**
 * CNPG-I {@code WAL}: RESTORE_WAL only. No ARCHIVE_WAL: Klio streams WAL through a replication slot
 * (send-wal), so CloudNativePG's {@code archive_command} must not call us, and the slot keeps on
 * the primary what the server does not hold yet. Archive, Status and SetFirstRequired answer
 * UNIMPLEMENTED (CloudNativePG calls only what GetCapabilities lists).
 */
final class WalService extends WALGrpc.WALImplBase {

  private final WalRestorer restorer;

  WalService(WalRestorer restorer) {
    this.restorer = restorer;
  }

  @Override
  public void getCapabilities(
      WALCapabilitiesRequest request, StreamObserver<WALCapabilitiesResult> response) {
    response.onNext(
        WALCapabilitiesResult.newBuilder()
            .addCapabilities(
                WALCapability.newBuilder()
                    .setRpc(
                        WALCapability.RPC
                            .newBuilder()
                            .setType(WALCapability.RPC.Type.TYPE_RESTORE_WAL)))
            .build());
    response.onCompleted();
  }

  @Override
  public void restore(WALRestoreRequest request, StreamObserver<WALRestoreResult> response) {
    try {
      restorer.restore(
          request.getSourceWalName(),
          request.getDestinationFileName(),
          WalRestorer.usesSpool(request.getMode()));
    } catch (StatusException e) {
      response.onError(e);
      return;
    }
    response.onNext(WALRestoreResult.getDefaultInstance());
    response.onCompleted();
  }
}
