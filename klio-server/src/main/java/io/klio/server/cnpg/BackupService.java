package io.klio.server.cnpg;

import io.grpc.stub.StreamObserver;
import io.klio.cnpgi.backup.v1.BackupCapabilitiesRequest;
import io.klio.cnpgi.backup.v1.BackupCapabilitiesResult;
import io.klio.cnpgi.backup.v1.BackupCapability;
import io.klio.cnpgi.backup.v1.BackupGrpc;
import io.klio.cnpgi.backup.v1.BackupRequest;
import io.klio.cnpgi.backup.v1.BackupResult;

/**
 * CNPG-I {@code Backup}: BACKUP, an online base backup of this instance ({@link PluginBackup}). The
 * call lasts as long as the backup (a unix-socket plugin call has no deadline in CloudNativePG);
 * cancelling it aborts the backup.
 */
final class BackupService extends BackupGrpc.BackupImplBase {

  private final PluginBackup backups;

  BackupService(PluginBackup backups) {
    this.backups = backups;
  }

  @Override
  public void getCapabilities(
      BackupCapabilitiesRequest request, StreamObserver<BackupCapabilitiesResult> response) {
    HookCalls.reply(
        response,
        BackupCapabilitiesResult.newBuilder()
            .addCapabilities(
                BackupCapability.newBuilder()
                    .setRpc(
                        BackupCapability.RPC
                            .newBuilder()
                            .setType(BackupCapability.RPC.Type.TYPE_BACKUP)))
            .build());
  }

  @Override
  public void backup(BackupRequest request, StreamObserver<BackupResult> response) {
    HookCalls.answer(response, () -> backups.run(request));
  }
}
