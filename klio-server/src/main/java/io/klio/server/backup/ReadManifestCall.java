package io.klio.server.backup;

import io.grpc.stub.ServerCallStreamObserver;
import io.klio.api.ClusterName;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.ManifestEntries;
import io.klio.api.grpc.v1.ManifestPart;
import io.klio.api.grpc.v1.ReadManifestRequest;
import java.util.concurrent.Executor;

/**
 * Streams a committed backup's manifest: its summary (with the chunk id key of an encrypted
 * repository, which the caller's certificate already entitles it to, as for a backup), then its
 * entries in batches of about 1 MiB.
 */
final class ReadManifestCall extends WorkerCall<ReadManifestRequest, ManifestPart> {

  private static final int BATCH_BYTES = 1 << 20;

  private final BackupServiceImpl service;

  ReadManifestCall(
      BackupServiceImpl service, ServerCallStreamObserver<ManifestPart> out, Executor ex) {
    super(out, ex, false);
    this.service = service;
  }

  @Override
  protected void handle(ReadManifestRequest r) throws Exception {
    ClusterName cluster = service.authorize(identity, r.getCluster());
    try (StoredManifest.Reader m = service.catalog.open(cluster, r.getBackupId())) {
      send(
          ManifestPart.newBuilder()
              .setSummary(m.summary())
              .setChunkIdKey(service.chunkIdKey())
              .build());
      ManifestEntries.Builder batch = ManifestEntries.newBuilder();
      int bytes = 0;
      for (FileEntry e = m.next(); e != null; e = m.next()) {
        batch.addEntries(e);
        bytes += e.getSerializedSize();
        if (bytes >= BATCH_BYTES) {
          send(ManifestPart.newBuilder().setEntries(batch).build());
          batch = ManifestEntries.newBuilder();
          bytes = 0;
        }
      }
      if (batch.getEntriesCount() > 0) {
        send(ManifestPart.newBuilder().setEntries(batch).build());
      }
    }
  }

  @Override
  protected void halfClosed() {
    complete();
  }
}
