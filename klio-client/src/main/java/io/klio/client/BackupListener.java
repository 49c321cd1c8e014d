package io.klio.client;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.backup.BackupProgress;
import java.util.Optional;

/**
 * Hears how a backup ({@link BackupClient#backup}) goes, for a progress display. Every method has
 * an empty default. Calls come from the backup's threads (progress from reader threads, never two
 * at once); they must return quickly and not throw.
 */
public interface BackupListener {

  /** A listener that ignores everything. */
  BackupListener NONE = new BackupListener() {};

  /** {@code pg_backup_start} returned: the backup's id, where its WAL starts, and where it runs. */
  default void started(String backupId, Lsn startLsn, TimelineId timeline, boolean fromStandby) {}

  /**
   * Files read and chunks sent so far: at most every 50 ms while files are read, and at the end.
   */
  default void progress(BackupProgress progress) {}

  /** {@code pg_backup_stop} returned: the backup's WAL ends at {@code endLsn}. */
  default void stopped(Lsn endLsn, TimelineId timeline) {}

  /**
   * The server waits for WAL the backup needs: {@code missingSegment} is the first WAL file it does
   * not hold far enough, {@code durable} how far its archive reaches.
   */
  default void waitingForWal(String missingSegment, Optional<Lsn> durable) {}
}
