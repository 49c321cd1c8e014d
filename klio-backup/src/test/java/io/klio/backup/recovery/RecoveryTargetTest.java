package io.klio.backup.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecoveryTargetTest {

  static Instant time(String s) {
    return RecoveryTarget.time(s).instant();
  }

  @Test
  void timesInPostgresIsoFormWithAZone() {
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    assertThat(time("2026-12-01 10:00:00+00")).isEqualTo(t);
    assertThat(time("2026-12-01 10:00:00 UTC")).isEqualTo(t);
    assertThat(time("2026-12-01T10:00:00Z")).isEqualTo(t);
    assertThat(time("2026-12-01 10:00 gmt")).isEqualTo(t);
    assertThat(time("2026-12-01 12:00:00+02")).isEqualTo(t);
    assertThat(time("2026-12-01 12:00:00+0200")).isEqualTo(t);
    assertThat(time("2026-12-01 05:30:00-04:30")).isEqualTo(t);
    assertThat(time("2026-12-01 11:00:00 Europe/Berlin")).isEqualTo(t);
    assertThat(time("2026-12-01 10:00:00.123456+00")).isEqualTo(t.plusNanos(123_456_000));
    assertThat(time("2026-12-01 10:00:00.5Z")).isEqualTo(t.plusMillis(500));
    RecoveryTarget.Time kept = RecoveryTarget.time(" 2026-12-01 10:00:00+00 ");
    assertThat(kept.value()).isEqualTo(" 2026-12-01 10:00:00+00 ");
    assertThat(kept.setting()).isEqualTo("recovery_target_time");
  }

  @Test
  void refusesAmbiguousAndInvalidTimes() {
    assertThatThrownBy(() -> time("2026-12-01 10:00:00"))
        .hasMessageContaining("no time zone")
        .hasMessageContaining("server's TimeZone");
    assertThatThrownBy(() -> time("2026-12-01 10:00:00 CET"))
        .hasMessageContaining("'CET' is ambiguous");
    assertThatThrownBy(() -> time("12/01/2026 10:00 UTC")).hasMessageContaining("ISO form");
    assertThatThrownBy(() -> time("now")).hasMessageContaining("ISO form");
    assertThatThrownBy(() -> time("2026-02-30 10:00:00+00")).hasMessageContaining("2026-02-30");
    assertThatThrownBy(() -> time("2026-12-01 25:00:00+00")).hasMessageContaining("invalid");
    assertThatThrownBy(() -> time("2026-12-01 10:00:00 Mars/Olympus"))
        .hasMessageContaining("unknown time zone 'Mars/Olympus'");
    assertThatThrownBy(() -> time("2026-03-29 02:30:00 Europe/Berlin"))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> time("2026-10-25 02:30:00 Europe/Berlin"))
        .hasMessageContaining("happens twice");
  }

  @Test
  void otherTargets() {
    assertThat(RecoveryTarget.lsn("16/B374D848").lsn()).isEqualTo(Lsn.parse("16/B374D848"));
    assertThat(RecoveryTarget.lsn("16/B374D848").value()).isEqualTo("16/B374D848");
    assertThat(RecoveryTarget.xid("4294967295").value()).isEqualTo("4294967295");
    assertThatThrownBy(() -> RecoveryTarget.xid("4294967296")).hasMessageContaining("4294967295");
    assertThatThrownBy(() -> RecoveryTarget.xid("0")).hasMessageContaining("1 to 4294967295");
    assertThatThrownBy(() -> RecoveryTarget.xid("-1")).hasMessageContaining("decimal");
    assertThat(RecoveryTarget.name("before-drop").setting()).isEqualTo("recovery_target_name");
    assertThat(RecoveryTarget.name("x".repeat(63)).value()).hasSize(63);
    assertThatThrownBy(() -> RecoveryTarget.name("x".repeat(64))).hasMessageContaining("64");
    assertThatThrownBy(() -> RecoveryTarget.name("é".repeat(32))).hasMessageContaining("64");
    assertThatThrownBy(() -> RecoveryTarget.name("")).hasMessageContaining("1 to 63 bytes");
    assertThat(RecoveryTarget.immediate().setting()).isEqualTo("recovery_target");
    assertThat(RecoveryTarget.immediate().value()).isEqualTo("immediate");
  }

  @Test
  void timelinesAndActions() {
    assertThat(TargetTimeline.parse("latest")).isEqualTo(TargetTimeline.LATEST);
    assertThat(TargetTimeline.parse("current").value()).isEqualTo("current");
    assertThat(TargetTimeline.parse("3").number()).contains(TimelineId.of(3));
    assertThat(TargetTimeline.parse("3").value()).isEqualTo("3");
    assertThatThrownBy(() -> TargetTimeline.parse("0")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> TargetTimeline.parse("newest"))
        .hasMessageContaining("latest, current or a number");
    assertThat(TargetAction.parse("promote")).isEqualTo(TargetAction.PROMOTE);
    assertThatThrownBy(() -> TargetAction.parse("Promote"))
        .hasMessageContaining("pause, promote or shutdown");
  }
}
