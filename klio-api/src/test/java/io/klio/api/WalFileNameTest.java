package io.klio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.WalFileName.BackupHistory;
import io.klio.api.WalFileName.History;
import io.klio.api.WalFileName.Partial;
import io.klio.api.WalFileName.Segment;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WalFileNameTest {

  private static final WalSegmentSize S16 = WalSegmentSize.DEFAULT;

  @Test
  void parsesEveryKind() {
    Segment seg = Segment.parse("000000010000000A000000FF", S16);
    assertThat(seg.timeline()).isEqualTo(TimelineId.FIRST);
    assertThat(seg.segmentNumber()).isEqualTo(10 * 256 + 255);
    assertThat(seg.startLsn()).isEqualTo(Lsn.parse("A/FF000000"));
    assertThat(seg.endLsn()).isEqualTo(Lsn.parse("B/0"));
    assertThat(seg.next().toString()).isEqualTo("000000010000000B00000000");
    assertThat(seg.next().previous()).isEqualTo(seg);

    assertThat(WalFileName.parse("000000020000000000000003.partial", S16))
        .isEqualTo(new Partial(Segment.of(TimelineId.of(2), 3, S16)));
    assertThat(WalFileName.parse("0000000A.history", S16))
        .isEqualTo(new History(TimelineId.of(10)));
    WalFileName backup = WalFileName.parse("000000010000000000000002.00000028.backup", S16);
    assertThat(backup).isInstanceOf(BackupHistory.class);
    assertThat(((BackupHistory) backup).startLsn()).isEqualTo(Lsn.parse("0/2000028"));
    assertThat(backup.toString()).isEqualTo("000000010000000000000002.00000028.backup");
  }

  @Test
  void segmentNamesDependOnTheSegmentSize() {
    WalSegmentSize s1g = WalSegmentSize.ofMegabytes(1024);
    Segment seg = Segment.parse("000000010000000100000003", s1g);
    assertThat(seg.segmentNumber()).isEqualTo(7);
    assertThat(seg.startLsn()).isEqualTo(Lsn.parse("1/C0000000"));
    assertThatThrownBy(() -> Segment.parse("000000010000000100000004", s1g))
        .hasMessageContaining("'000000010000000100000004'")
        .hasMessageContaining("1024MB");
    WalSegmentSize s1m = WalSegmentSize.ofMegabytes(1);
    assertThat(Segment.parse("000000010000000000000FFF", s1m).next().toString())
        .isEqualTo("000000010000000100000000");
  }

  @Test
  void containingAndPrevious() {
    Segment s = Segment.containing(TimelineId.of(3), Lsn.parse("0/2FFFFFF"), S16);
    assertThat(s.toString()).isEqualTo("000000030000000000000002");
    assertThat(s.contains(Lsn.parse("0/2000000"))).isTrue();
    assertThat(s.contains(Lsn.parse("0/3000000"))).isFalse();
    assertThat(s.onTimeline(TimelineId.of(4)).toString()).isEqualTo("000000040000000000000002");
    assertThatThrownBy(() -> Segment.of(TimelineId.FIRST, 0, S16).previous())
        .isInstanceOf(IllegalStateException.class);
    assertThat(Segment.containing(TimelineId.FIRST, Lsn.MAX, S16).toString())
        .isEqualTo("00000001FFFFFFFF000000FF");
    assertThatThrownBy(() -> Segment.containing(TimelineId.FIRST, Lsn.MAX, S16).next())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00000001000000000000000",
        "0000000100000000000000001",
        "000000010000000000000000.part",
        "00000000000000000000000A",
        "000000010000000000000100",
        "00000001000000000000000g",
        "000000010000000000000001.partial2",
        "0000000G.history",
        "00000000.history",
        "000000010000000000000002.0000002G.backup",
        "000000010000000000000002.01000000.backup",
        "000000010000000000000002-00000028.backup",
        "../00000001.history"
      })
  void malformedNamesThrowNamingTheText(String name) {
    assertThatThrownBy(() -> WalFileName.parse(name, S16))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            name.isEmpty() ? "''" : name.substring(0, Math.min(8, name.length())));
  }

  @Property
  void segmentRoundTrip(
      @ForAll @LongRange(min = 1, max = 0xFFFFFFFFL) long tli,
      @ForAll("sizes") WalSegmentSize size,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long raw) {
    long segno = raw >>> size.log2();
    Segment seg = Segment.of(TimelineId.of(tli), segno, size);
    assertThat(WalFileName.parse(seg.toString(), size)).isEqualTo(seg);
    assertThat(WalFileName.parse(seg.partial().toString(), size)).isEqualTo(seg.partial());
    assertThat(Segment.containing(seg.timeline(), seg.startLsn(), size)).isEqualTo(seg);
    assertThat(Segment.containing(seg.timeline(), Lsn.of(seg.endLsn().value() - 1), size))
        .isEqualTo(seg);
    if (segno > 0) {
      assertThat(seg.previous().next()).isEqualTo(seg);
      assertThat(seg.previous().compareTo(seg)).isNegative();
    }
  }

  @Property
  void backupHistoryRoundTrip(
      @ForAll("sizes") WalSegmentSize size,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long raw,
      @ForAll @LongRange(min = 0, max = (1L << 20) - 1) long offset) {
    BackupHistory b =
        new BackupHistory(Segment.of(TimelineId.FIRST, raw >>> size.log2(), size), offset);
    assertThat(WalFileName.parse(b.toString(), size)).isEqualTo(b);
  }

  @Provide
  Arbitrary<WalSegmentSize> sizes() {
    return Arbitraries.integers().between(20, 30).map(i -> new WalSegmentSize(1 << i));
  }
}
