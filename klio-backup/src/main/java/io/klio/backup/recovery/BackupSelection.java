package io.klio.backup.recovery;

import io.klio.api.Lsn;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.BackupSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Chooses the backup a restore starts from, and refuses a target no backup can reach:
 *
 * <ul>
 *   <li>an explicit backup id: that backup, if the target is not before its end;
 *   <li>a time target: the newest backup that stopped at or before it;
 *   <li>an LSN target: the newest backup that ended at or before it;
 *   <li>an xid, a restore point name, {@code immediate} or no target: the latest backup (where an
 *       xid or a name lies in the WAL is unknown until replay reaches it; give an explicit backup
 *       when it is older than the latest one).
 * </ul>
 *
 * With a numbered target timeline only backups whose end timeline is at most that number count.
 * Given what the archive holds ({@link ArchiveReach}), a time or LSN past its newest WAL is refused
 * too. Every refusal names the range that is reachable. Stateless.
 */
public final class BackupSelection {

  private static final Comparator<BackupSummary> NEWEST_LAST =
      Comparator.comparingLong(BackupSummary::getStopTimeMs)
          .thenComparing(b -> Lsn.of(b.getEndLsn()))
          .thenComparing(BackupSummary::getBackupId);

  private BackupSelection() {}

  /**
   * How far the WAL archive reaches.
   *
   * @param newestLsn the end of the newest WAL it holds durably
   * @param receivedAt when that WAL arrived (no commit after it can be replayed), when known
   */
  public record ArchiveReach(Lsn newestLsn, Optional<Instant> receivedAt) {
    public ArchiveReach {
      java.util.Objects.requireNonNull(newestLsn, "newestLsn");
      java.util.Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /** An archive whose newest WAL arrived at {@code receivedAt}. */
    public ArchiveReach(Lsn newestLsn, Instant receivedAt) {
      this(newestLsn, Optional.of(receivedAt));
    }
  }

  /**
   * The backup to restore.
   *
   * @param catalog the cluster's committed backups, in any order
   * @param backupId an explicit backup id; empty or {@code latest} to choose by the target
   * @param target where recovery stops, if anywhere
   * @param timeline the target timeline
   * @param archive how far the archive reaches, when known
   * @throws NotFoundException when there is no backup, or none with {@code backupId}
   * @throws PermanentException when the target cannot be reached, naming what can
   */
  public static BackupSummary select(
      List<BackupSummary> catalog,
      Optional<String> backupId,
      Optional<RecoveryTarget> target,
      TargetTimeline timeline,
      Optional<ArchiveReach> archive)
      throws NotFoundException, PermanentException {
    if (catalog.isEmpty()) {
      throw new NotFoundException("the cluster has no backups yet; take one with klio backup");
    }
    List<BackupSummary> sorted = new ArrayList<>(catalog);
    sorted.sort(NEWEST_LAST);
    if (target.isPresent()) {
      checkArchive(target.get(), sorted, archive);
    }
    Predicate<BackupSummary> onTimeline =
        b -> timeline.number().map(n -> b.getEndTimeline() <= n.value()).orElse(true);
    if (backupId.isPresent() && !backupId.get().equals("latest")) {
      BackupSummary b = byId(sorted, backupId.get());
      if (!onTimeline.test(b)) {
        throw new PermanentException(
            "backup "
                + b.getBackupId()
                + " ends on timeline "
                + b.getEndTimeline()
                + ", after the target timeline "
                + timeline
                + "; choose a backup of timeline "
                + timeline
                + " or earlier, or another target timeline");
      }
      if (target.isPresent() && !reaches(b, target.get())) {
        throw new PermanentException(
            "backup "
                + b.getBackupId()
                + " ends at "
                + describeEnd(b, target.get())
                + ", after the target "
                + target.get().value()
                + "; a restore of it can reach targets from its end on. Choose an older backup,"
                + " or leave out --backup to have one chosen");
      }
      return b;
    }
    BackupSummary chosen = null;
    for (BackupSummary b : sorted) {
      if (onTimeline.test(b) && (target.isEmpty() || reaches(b, target.get()))) {
        chosen = b; // sorted oldest first: the last match is the newest
      }
    }
    if (chosen == null) {
      throw unreachable(target, timeline, sorted, archive);
    }
    return chosen;
  }

  /** Whether recovery from {@code b} can stop at {@code t}: the target is not before its end. */
  private static boolean reaches(BackupSummary b, RecoveryTarget t) {
    if (t instanceof RecoveryTarget.Time time) {
      return b.getStopTimeMs() <= time.instant().toEpochMilli();
    }
    if (t instanceof RecoveryTarget.AtLsn lsn) {
      return Lsn.of(b.getEndLsn()).compareTo(lsn.lsn()) <= 0;
    }
    return true;
  }

  private static void checkArchive(
      RecoveryTarget t, List<BackupSummary> sorted, Optional<ArchiveReach> archive)
      throws PermanentException {
    if (archive.isEmpty()) {
      return;
    }
    ArchiveReach a = archive.get();
    if (t instanceof RecoveryTarget.Time time
        && a.receivedAt().isPresent()
        && time.instant().isAfter(a.receivedAt().get())) {
      throw new PermanentException(
          "the target time "
              + time.text()
              + " is after the newest WAL in the archive (received "
              + a.receivedAt().get()
              + "); reachable times: "
              + Instant.ofEpochMilli(sorted.get(0).getStopTimeMs())
              + " to "
              + a.receivedAt().get());
    }
    if (t instanceof RecoveryTarget.AtLsn lsn && lsn.lsn().isAfter(a.newestLsn())) {
      throw new PermanentException(
          "the target LSN "
              + lsn.lsn()
              + " is after the newest WAL in the archive ("
              + a.newestLsn()
              + "); reachable LSNs: "
              + Lsn.of(oldestEnd(sorted))
              + " to "
              + a.newestLsn());
    }
  }

  private static long oldestEnd(List<BackupSummary> sorted) {
    return sorted.stream()
        .map(b -> Lsn.of(b.getEndLsn()))
        .min(Comparator.naturalOrder())
        .orElseThrow()
        .value();
  }

  private static PermanentException unreachable(
      Optional<RecoveryTarget> target,
      TargetTimeline timeline,
      List<BackupSummary> sorted,
      Optional<ArchiveReach> archive) {
    BackupSummary oldest = sorted.get(0);
    String until =
        archive
            .flatMap(ArchiveReach::receivedAt)
            .map(r -> r + " (the newest WAL)")
            .orElse("the newest WAL");
    if (target.isPresent() && target.get() instanceof RecoveryTarget.Time time) {
      return new PermanentException(
          "no backup ends before the target time "
              + time.text()
              + "; the oldest backup, "
              + oldest.getBackupId()
              + ", ends at "
              + Instant.ofEpochMilli(oldest.getStopTimeMs())
              + ": reachable times are "
              + Instant.ofEpochMilli(oldest.getStopTimeMs())
              + " to "
              + until);
    }
    if (target.isPresent() && target.get() instanceof RecoveryTarget.AtLsn lsn) {
      return new PermanentException(
          "no backup ends before the target LSN "
              + lsn.lsn()
              + "; the oldest ends at "
              + Lsn.of(oldestEnd(sorted))
              + ": reachable LSNs are "
              + Lsn.of(oldestEnd(sorted))
              + " to "
              + archive.map(a -> a.newestLsn().toString()).orElse("the newest WAL"));
    }
    return new PermanentException(
        "no backup is on timeline "
            + timeline
            + " or earlier; the oldest backup, "
            + oldest.getBackupId()
            + ", ends on timeline "
            + oldest.getEndTimeline());
  }

  private static BackupSummary byId(List<BackupSummary> sorted, String id)
      throws NotFoundException {
    for (BackupSummary b : sorted) {
      if (b.getBackupId().equals(id)) {
        return b;
      }
    }
    List<String> ids = sorted.stream().map(BackupSummary::getBackupId).toList();
    String known =
        ids.size() <= 10
            ? String.join(", ", ids)
            : String.join(", ", ids.subList(0, 3))
                + " … "
                + String.join(", ", ids.subList(ids.size() - 3, ids.size()))
                + " ("
                + ids.size()
                + " in all; klio backup list shows them)";
    throw new NotFoundException("there is no backup " + id + "; the cluster's backups: " + known);
  }

  private static String describeEnd(BackupSummary b, RecoveryTarget t) {
    return t instanceof RecoveryTarget.AtLsn
        ? Lsn.of(b.getEndLsn()).toString()
        : Instant.ofEpochMilli(b.getStopTimeMs()).toString();
  }
}
