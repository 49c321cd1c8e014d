package io.klio.backup.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.backup.recovery.BackupSelection.ArchiveReach;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupSelectionTest {

  static BackupSummary backup(String id, String stop, String endLsn, int timeline) {
    return BackupSummary.newBuilder()
        .setBackupId(id)
        .setStopTimeMs(Instant.parse(stop).toEpochMilli())
        .setEndLsn(Lsn.parse(endLsn).value())
        .setStartTimeline(timeline)
        .setEndTimeline(timeline)
        .build();
  }

  // listed out of order on purpose
  static final List<BackupSummary> CATALOG =
      List.of(
          backup("20261203T100000Z", "2026-12-03T10:05:00Z", "0/5000100", 2),
          backup("20261201T100000Z", "2026-12-01T10:05:00Z", "0/3000100", 1),
          backup("20261202T100000Z", "2026-12-02T10:05:00Z", "0/4000100", 1));

  static final Optional<ArchiveReach> ARCHIVE =
      Optional.of(new ArchiveReach(Lsn.parse("0/6000000"), Instant.parse("2026-12-04T00:00:00Z")));

  static String select(String id, RecoveryTarget target, TargetTimeline tl)
      throws NotFoundException, PermanentException {
    return BackupSelection.select(
            CATALOG, Optional.ofNullable(id), Optional.ofNullable(target), tl, ARCHIVE)
        .getBackupId();
  }

  static String select(String id, RecoveryTarget target)
      throws NotFoundException, PermanentException {
    return select(id, target, TargetTimeline.LATEST);
  }

  @Test
  void latestWithoutATargetOrWithOneThatIsNotATimeOrLsn() throws Exception {
    assertThat(select(null, null)).isEqualTo("20261203T100000Z");
    assertThat(select("latest", null)).isEqualTo("20261203T100000Z");
    assertThat(select(null, RecoveryTarget.immediate())).isEqualTo("20261203T100000Z");
    assertThat(select(null, RecoveryTarget.xid("1234"))).isEqualTo("20261203T100000Z");
    assertThat(select(null, RecoveryTarget.name("p"))).isEqualTo("20261203T100000Z");
  }

  @Test
  void byTimeTheNewestThatStoppedBefore() throws Exception {
    assertThat(select(null, RecoveryTarget.time("2026-12-02 12:00:00+00")))
        .isEqualTo("20261202T100000Z");
    // exactly at a stop time: that backup
    assertThat(select(null, RecoveryTarget.time("2026-12-02 10:05:00+00")))
        .isEqualTo("20261202T100000Z");
    assertThat(select(null, RecoveryTarget.time("2026-12-02 10:04:59.999+00")))
        .isEqualTo("20261201T100000Z");
    assertThat(select(null, RecoveryTarget.time("2026-12-03 23:00:00+00")))
        .isEqualTo("20261203T100000Z");
    // with a numbered timeline, only backups that end on it or before
    assertThat(
            select(null, RecoveryTarget.time("2026-12-03 23:00:00+00"), TargetTimeline.parse("1")))
        .isEqualTo("20261202T100000Z");
  }

  @Test
  void byLsnTheNewestThatEndedBefore() throws Exception {
    assertThat(select(null, RecoveryTarget.lsn("0/4800000"))).isEqualTo("20261202T100000Z");
    assertThat(select(null, RecoveryTarget.lsn("0/4000100"))).isEqualTo("20261202T100000Z");
    assertThat(select(null, RecoveryTarget.lsn("0/40000FF"))).isEqualTo("20261201T100000Z");
  }

  @Test
  void refusesWhatNoBackupReaches() {
    assertThatThrownBy(() -> select(null, RecoveryTarget.time("2026-12-01 10:00:00+00")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("no backup ends before the target time 2026-12-01 10:00:00+00")
        .hasMessageContaining("reachable times are 2026-12-01T10:05:00Z to 2026-12-04T00:00:00Z");
    assertThatThrownBy(() -> select(null, RecoveryTarget.time("2026-12-05 00:00:00+00")))
        .hasMessageContaining("after the newest WAL in the archive")
        .hasMessageContaining("2026-12-01T10:05:00Z to 2026-12-04T00:00:00Z");
    assertThatThrownBy(() -> select(null, RecoveryTarget.lsn("0/1000000")))
        .hasMessageContaining("reachable LSNs are 0/3000100 to 0/6000000");
    assertThatThrownBy(() -> select(null, RecoveryTarget.lsn("1/0")))
        .hasMessageContaining("reachable LSNs: 0/3000100 to 0/6000000");
    assertThatThrownBy(() -> select(null, null, TargetTimeline.parse("0")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anExplicitBackup() throws Exception {
    assertThat(select("20261201T100000Z", RecoveryTarget.time("2026-12-03 23:00:00+00")))
        .isEqualTo("20261201T100000Z");
    assertThat(select("20261201T100000Z", null)).isEqualTo("20261201T100000Z");
    assertThatThrownBy(
            () -> select("20261202T100000Z", RecoveryTarget.time("2026-12-01 12:00:00+00")))
        .hasMessageContaining("backup 20261202T100000Z ends at 2026-12-02T10:05:00Z")
        .hasMessageContaining("Choose an older backup");
    assertThatThrownBy(() -> select("20261202T100000Z", RecoveryTarget.lsn("0/3000000")))
        .hasMessageContaining("ends at 0/4000100");
    assertThatThrownBy(() -> select("20261203T100000Z", null, TargetTimeline.parse("1")))
        .hasMessageContaining("ends on timeline 2");
    assertThatThrownBy(() -> select("20261130T100000Z", null))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no backup 20261130T100000Z")
        .hasMessageContaining("20261201T100000Z, 20261202T100000Z, 20261203T100000Z");
  }

  @Test
  void anEmptyCatalog() {
    assertThatThrownBy(
            () ->
                BackupSelection.select(
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    TargetTimeline.LATEST,
                    Optional.empty()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no backups yet");
  }
}
