package io.klio.client;

import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.VerifyProgress;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The base backups of this connection's cluster: taking one ({@link #backup}) and the catalog
 * ({@link #list}, {@link #get}, {@link #delete}, {@link #verify}). Reached as {@link
 * KlioConnection#backups()}; the wire protocol is {@code BackupService} (docs/grpc-api.md).
 *
 * <p><b>Errors.</b> Every method fails with Klio's exceptions: {@link
 * io.klio.api.error.NotFoundException} for a backup id the catalog does not hold, {@link
 * io.klio.api.error.PermanentException} for what retrying cannot fix (a refused certificate,
 * another database system under this cluster name, a backup that can never become restorable),
 * {@link io.klio.api.error.RetryableException} when the server could not be reached or went away
 * (the backup is then not in the catalog; run it again). PostgreSQL's errors come as {@link
 * io.klio.walstream.PostgresException} with their SQLSTATE.
 *
 * <p><b>Threading.</b> Thread-safe; a backup runs on the calling thread plus {@link
 * BackupOptions#jobs()} reader threads that end before {@link #backup} returns. Interrupting the
 * calling thread aborts the backup.
 */
public interface BackupClient {

  /**
   * Takes one online base backup of the PostgreSQL next to this client into the server, and returns
   * once the server has committed it: once it is restorable.
   *
   * <ol>
   *   <li>Connects to PostgreSQL (a normal session, {@link BackupOptions#connection()}) and reads
   *       its system identifier, version, WAL segment size and whether it is a standby; checks that
   *       {@link BackupOptions#pgdata()} is that server's data directory.
   *   <li>Begins the backup on the server, which answers how to split and name chunks.
   *   <li>{@code pg_backup_start(label, fast)} (non-exclusive: the session stays open to the end;
   *       closing it ends the backup in PostgreSQL, so a failure never leaves one running).
   *   <li>Reads the data directory and every tablespace with {@link BackupOptions#jobs()} readers,
   *       each with its own {@code Upload} call: it asks which chunks the server lacks and sends
   *       only those ({@code global/pg_control} last). Memory is bounded per reader.
   *   <li>{@code pg_backup_stop(wait_for_archive => false)}: the end LSN, {@code backup_label} and
   *       {@code tablespace_map}; the end timeline (on a standby, the minimum recovery point's).
   *   <li>Finishes the backup: the server waits until its WAL archive holds the WAL from the
   *       backup's start to its end (reported to {@link BackupListener#waitingForWal}), then stores
   *       the manifest. On a primary, {@code pg_backup_stop} has switched to a new WAL segment
   *       already, so the end segment is complete; if the server still reports WAL missing, the
   *       client asks for one more switch ({@code pg_switch_wal()}, once, and only on a primary: a
   *       standby cannot switch, its WAL arrives through the primary's stream). A backup whose WAL
   *       does not arrive within {@link BackupOptions#walTimeout()} (or the server's default) fails
   *       with the name of the missing segment.
   * </ol>
   *
   * Any failure aborts the backup on the server (with the reason) and ends it in PostgreSQL: it
   * never shows in the catalog, and the chunks it stored are reused by the next backup or reclaimed
   * by garbage collection.
   *
   * @throws IOException as the interface says; the message names the file, the LSN or the segment
   *     concerned
   * @throws InterruptedException when the calling thread was interrupted (the backup is aborted)
   */
  BackupOutcome backup(BackupOptions options, BackupListener listener)
      throws IOException, InterruptedException;

  /** The cluster's committed backups, oldest first. */
  List<BackupSummary> list() throws IOException;

  /**
   * One committed backup's summary.
   *
   * @throws io.klio.api.error.NotFoundException when the cluster has no backup {@code id}
   */
  BackupSummary get(String id) throws IOException;

  /**
   * Removes a backup from the catalog (its chunks are left to garbage collection).
   *
   * @param force also when it is the only backup from which the WAL archive can be restored
   *     (refused with a {@link io.klio.api.error.PermanentException} otherwise)
   * @return the summary of the backup deleted
   * @throws io.klio.api.error.NotFoundException when the cluster has no backup {@code id}
   */
  BackupSummary delete(String id, boolean force) throws IOException;

  /**
   * Has the server re-read every chunk of a backup and check it against the manifest.
   *
   * @param progress receives each progress message (about one a second), on the calling thread
   * @return what was checked and every problem found; corruption is a finding, not an exception
   * @throws io.klio.api.error.NotFoundException when the cluster has no backup {@code id}
   */
  VerifyOutcome verify(String id, Consumer<VerifyProgress> progress) throws IOException;
}
