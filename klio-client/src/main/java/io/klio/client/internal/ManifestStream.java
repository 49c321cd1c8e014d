package io.klio.client.internal;

import com.google.protobuf.ByteString;
import io.klio.api.ClusterName;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.BackupServiceGrpc;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.FileKind;
import io.klio.api.grpc.v1.ManifestPart;
import io.klio.api.grpc.v1.ReadManifestRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A backup's manifest as the server streams it ({@code ReadManifest}): the summary and chunk id key
 * first, then the entries, read only as fast as {@link #entries()} is consumed (at most {@link
 * #WINDOW} parts of about 1 MiB wait), so a manifest of any size costs the same memory. At its end
 * the counts of files and directories are checked against the summary. Used by one thread; {@link
 * #close} cancels a call not read to its end.
 */
final class ManifestStream implements AutoCloseable {

  static final int WINDOW = 2;
  private static final Duration PART_TIMEOUT = Duration.ofMinutes(5);

  private final BlockingStream<ReadManifestRequest, ManifestPart> call;
  private final BackupSummary summary;
  private final ByteString chunkIdKey;
  private long files;
  private long directories;

  private ManifestStream(
      BlockingStream<ReadManifestRequest, ManifestPart> call,
      BackupSummary summary,
      ByteString chunkIdKey) {
    this.call = call;
    this.summary = summary;
    this.chunkIdKey = chunkIdKey;
  }

  /** Opens the manifest of {@code backupId} and reads its summary. */
  static ManifestStream open(
      BackupServiceGrpc.BackupServiceStub stub, ClusterName cluster, String backupId)
      throws IOException {
    ReadManifestRequest req =
        ReadManifestRequest.newBuilder().setCluster(cluster.value()).setBackupId(backupId).build();
    BlockingStream<ReadManifestRequest, ManifestPart> call =
        BlockingStream.open(
            "the ReadManifest call of backup " + backupId,
            o -> {
              stub.readManifest(req, o);
              return null;
            },
            WINDOW);
    try {
      ManifestPart first = call.take(PART_TIMEOUT);
      if (first == null || !first.hasSummary()) {
        throw new PermanentException(
            "the Klio server sent the manifest of backup "
                + backupId
                + " without its summary first");
      }
      return new ManifestStream(call, first.getSummary(), first.getChunkIdKey());
    } catch (IOException | RuntimeException e) {
      call.cancel("failed", e);
      throw e;
    }
  }

  BackupSummary summary() {
    return summary;
  }

  /** The key of an {@code hmac-sha256} backup's chunk ids; empty for {@code sha256}. */
  ByteString chunkIdKey() {
    return chunkIdKey;
  }

  /**
   * The entries, read as they are consumed; a failure of the call comes out of {@code hasNext} as
   * an {@link UncheckedIOException}. Once.
   */
  Iterator<FileEntry> entries() {
    return new Iterator<>() {
      private Iterator<FileEntry> batch = List.<FileEntry>of().iterator();
      private boolean ended;

      @Override
      public boolean hasNext() {
        try {
          while (!batch.hasNext() && !ended) {
            ManifestPart p = call.take(PART_TIMEOUT);
            if (p == null) {
              ended = true;
              checkCounts();
            } else if (p.hasEntries()) {
              batch = p.getEntries().getEntriesList().iterator();
            } else {
              throw new PermanentException(
                  "the Klio server sent a second summary in the manifest of backup "
                      + summary.getBackupId());
            }
          }
          return batch.hasNext();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public FileEntry next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        FileEntry e = batch.next();
        if (e.getKind() == FileKind.FILE_KIND_FILE) {
          files++;
        } else if (e.getKind() == FileKind.FILE_KIND_DIRECTORY) {
          directories++;
        }
        return e;
      }
    };
  }

  private void checkCounts() throws PermanentException {
    if (files != summary.getFileCount() || directories != summary.getDirectoryCount()) {
      throw new PermanentException(
          "the manifest of backup "
              + summary.getBackupId()
              + " lists "
              + files
              + " files and "
              + directories
              + " directories, its summary "
              + summary.getFileCount()
              + " and "
              + summary.getDirectoryCount()
              + ": the manifest is damaged; restore another backup");
    }
  }

  @Override
  public void close() {
    if (!call.ended()) {
      call.cancel("the restore stopped reading the manifest", null);
    }
  }
}
