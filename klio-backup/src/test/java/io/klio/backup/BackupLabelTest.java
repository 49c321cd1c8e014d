package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalSegmentSize;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class BackupLabelTest {

  /** What pg_backup_stop returned on PostgreSQL 18 (START TIME in the log_timezone). */
  static final String PG18 =
      "START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\n"
          + "CHECKPOINT LOCATION: 0/3000080\n"
          + "BACKUP METHOD: streamed\n"
          + "BACKUP FROM: primary\n"
          + "START TIME: 2026-12-01 21:15:22 UTC\n"
          + "LABEL: lbl\n"
          + "START TIMELINE: 1\n";

  static BackupLabel parse(String s) {
    return BackupLabel.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesWhatPostgresWrites() {
    BackupLabel l = parse(PG18);
    assertThat(l.startLsn()).isEqualTo(Lsn.parse("0/3000028"));
    assertThat(l.startWalFile()).isEqualTo("000000010000000000000003");
    assertThat(l.checkpointLsn()).isEqualTo(Lsn.parse("0/3000080"));
    assertThat(l.backupMethod()).contains("streamed");
    assertThat(l.backupFrom()).isEqualTo(BackupLabel.BackupFrom.PRIMARY);
    assertThat(l.startTime()).contains("2026-12-01 21:15:22 UTC");
    assertThat(l.label()).contains("lbl");
    assertThat(l.startTimeline()).isEqualTo(TimelineId.of(1));
    assertThat(l.incrementalFromLsn()).isEmpty();
    assertThat(l.startSegment(WalSegmentSize.DEFAULT).toString())
        .isEqualTo("000000010000000000000003");
  }

  @Test
  void standbyIncrementalAndMinimal() {
    BackupLabel l =
        parse(
            "START WAL LOCATION: 1A/B2000028 (file 000000030000001A000000B2)\n"
                + "CHECKPOINT LOCATION: 1A/B2000060\n"
                + "BACKUP METHOD: streamed\n"
                + "BACKUP FROM: standby\n"
                + "START TIME: 2026-12-01 10:00:00 CET\n"
                + "LABEL: with: colons and ümlauts\n"
                + "START TIMELINE: 3\n"
                + "INCREMENTAL FROM LSN: 1A/A0000028\n"
                + "INCREMENTAL FROM TLI: 2\n");
    assertThat(l.backupFrom()).isEqualTo(BackupLabel.BackupFrom.STANDBY);
    assertThat(l.label()).contains("with: colons and ümlauts");
    assertThat(l.startTimeline()).isEqualTo(TimelineId.of(3));
    assertThat(l.incrementalFromLsn()).contains(Lsn.parse("1A/A0000028"));
    assertThat(l.incrementalFromTimeline()).contains(TimelineId.of(2));

    BackupLabel m =
        parse(
            "START WAL LOCATION: 0/2000028 (file 000000020000000000000002)\n"
                + "CHECKPOINT LOCATION: 0/2000060\n"
                + "LABEL: \n");
    assertThat(m.startTimeline()).isEqualTo(TimelineId.of(2));
    assertThat(m.backupFrom()).isEqualTo(BackupLabel.BackupFrom.PRIMARY);
    assertThat(m.label()).contains("");
    assertThat(m.startTime()).isEqualTo(Optional.empty());
  }

  @Test
  void badTextNamesTheLine() {
    assertThatThrownBy(() -> parse(""))
        .hasMessageContaining("0 line(s)")
        .hasMessageContaining("START WAL LOCATION");
    assertThatThrownBy(() -> parse(PG18.replace("0/3000080", "zz")))
        .hasMessageContaining("line 2 'CHECKPOINT LOCATION: zz'");
    assertThatThrownBy(() -> parse(PG18.replace("(file ", "(fil ")))
        .hasMessageContaining("line 1 ");
    assertThatThrownBy(() -> parse(PG18.replace("BACKUP FROM: primary", "BACKUP FROM: replica")))
        .hasMessageContaining("line 4 'BACKUP FROM: replica'")
        .hasMessageContaining("primary or standby");
    assertThatThrownBy(() -> parse(PG18.replace("START TIMELINE: 1", "START TIMELINE: 2")))
        .hasMessageContaining("START TIMELINE: 2")
        .hasMessageContaining("timeline 1");
    assertThatThrownBy(() -> parse(PG18 + "STOP TIME: x\n"))
        .hasMessageContaining("line 8 'STOP TIME: x'")
        .hasMessageContaining("unknown key");
    assertThatThrownBy(() -> parse(PG18 + "LABEL: again\n")).hasMessageContaining("twice");
    assertThatThrownBy(() -> parse(PG18 + "\n")).hasMessageContaining("line 8 ''");
    String swapped =
        "CHECKPOINT LOCATION: 0/3000080\n"
            + "START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\n";
    assertThatThrownBy(() -> parse(swapped)).hasMessageContaining("must be START WAL LOCATION");
    assertThatThrownBy(
            () -> parse(PG18.replace("000000010000000000000003", "000000000000000000000003")))
        .hasMessageContaining("timeline 00000000 is invalid");
    assertThatThrownBy(() -> parse(PG18).startSegment(WalSegmentSize.ofMegabytes(64)))
        .hasMessageContaining("does not hold its start location");
  }

  @Property(tries = 2000)
  void anyTextGivesALabelOrAClearError(@ForAll("labelish") String text) {
    try {
      BackupLabel l = parse(text);
      assertThat(l.startLsn()).isNotNull();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("backup_label");
    }
  }

  @Provide
  Arbitrary<String> labelish() {
    Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(300);
    Arbitrary<String> mutated =
        Arbitraries.integers()
            .between(0, PG18.length() - 1)
            .list()
            .ofMinSize(1)
            .ofMaxSize(4)
            .flatMap(
                positions ->
                    Arbitraries.chars()
                        .list()
                        .ofSize(positions.size())
                        .map(
                            chars -> {
                              StringBuilder b = new StringBuilder(PG18);
                              for (int i = 0; i < positions.size(); i++) {
                                b.setCharAt(positions.get(i), chars.get(i));
                              }
                              return b.toString();
                            }));
    Arbitrary<String> truncated =
        Arbitraries.integers().between(0, PG18.length()).map(n -> PG18.substring(0, n));
    return Arbitraries.oneOf(noise, mutated, truncated);
  }
}
