package io.klio.client;

import io.klio.api.grpc.v1.BackupSummary;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Restores a base backup of the cluster from the Klio server into a new data directory, ready for
 * point-in-time recovery: {@link #restore} chooses the backup, rebuilds the files from their chunks
 * in parallel (every chunk checked against its id, every file against its length and CRC-32C),
 * writes {@code backup_label}, {@code tablespace_map} and the tablespace links, the recovery
 * settings ({@code recovery.signal}, {@code restore_command} and the target in {@code
 * postgresql.auto.conf}) and a PostgreSQL-format {@code backup_manifest}, and verifies the
 * directory against that manifest with pg_verifybackup's rules before it returns. What is written
 * where is described in docs/base-backups.md.
 *
 * <p><b>Errors.</b> Each failure names what failed and what to do:
 *
 * <ul>
 *   <li>{@link io.klio.api.error.NotFoundException}: the cluster has no backup, or none with the id
 *       asked for; the backup's first WAL file is not in the archive. Nothing is written.
 *   <li>{@link io.klio.api.error.PermanentException}: a target the archive cannot reach (the
 *       message names the reachable range), a target or tablespace directory that is not empty, a
 *       refused certificate, a wrong key, a corrupted chunk (naming the file, the offset, the chunk
 *       and the pack that holds it), a restored directory that fails verification. Refusals come
 *       before anything is written; a failure while copying leaves a partial directory, which must
 *       be removed before trying again.
 *   <li>{@link io.klio.api.error.RetryableException}: the server could not be reached or stopped
 *       answering.
 * </ul>
 *
 * <p><b>Threading.</b> Thread-safe; each {@link #restore} runs on the caller's thread and {@link
 * RestoreRequest#jobs()} writer threads of its own (one ReadChunks call each), which end before it
 * returns. The listener is called from those threads, one call at a time. Interrupting the caller
 * cancels the restore.
 *
 * <p><b>Memory</b> does not grow with the size of the backup: the manifest is read as a stream and
 * each writer asks for a bounded window of chunks ahead.
 */
public interface RestoreClient {

  /**
   * Restores the backup that {@code request} names or implies.
   *
   * @return what was restored
   */
  RestoreReport restore(RestoreRequest request, Listener listener)
      throws IOException, InterruptedException;

  /** Hears a restore's steps. Calls come one at a time and must return quickly. */
  interface Listener {

    /** Ignores everything. */
    Listener NONE = new Listener() {};

    /** The backup chosen, before anything is written. */
    default void selected(BackupSummary backup) {}

    /**
     * Every check that comes before writing passed (the directory is new or empty, the backup's
     * first WAL file is in the archive): the copy into {@code dataDirectory} begins. A failure
     * after this leaves a partial directory.
     */
    default void copying(java.nio.file.Path dataDirectory) {}

    /** Progress of the copy, at most every 50 ms, and once at its end. */
    default void progress(Progress progress) {}

    /** A step after the copy ("writing backup_manifest", "verifying the restored directory"). */
    default void step(String what) {}
  }

  /**
   * Where the copy is.
   *
   * @param bytesWritten bytes of data files written so far
   * @param bytesTotal the backup's data bytes
   * @param filesWritten files written, checked and synced
   * @param filesTotal the backup's files
   * @param bytesPerSecond the rate over the last 10 s, once known
   * @param eta the time left at that rate, once known
   */
  record Progress(
      long bytesWritten,
      long bytesTotal,
      long filesWritten,
      long filesTotal,
      OptionalDouble bytesPerSecond,
      Optional<Duration> eta) {}
}
