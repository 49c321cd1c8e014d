package io.klio.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.TimelineHistory;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.server.wal.WalHoldings;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WalCoverageTest {

  static final WalSegmentSize SIZE = WalSegmentSize.DEFAULT;
  static final TimelineId T1 = TimelineId.of(1);
  static final TimelineId T2 = TimelineId.of(2);

  /** An archive: whole segments, one partial segment, history files. */
  static final class Archive implements WalHoldings {
    final Map<String, Lsn> held = new HashMap<>();
    final Map<TimelineId, TimelineHistory> histories = new HashMap<>();
    Position newest;

    Archive whole(TimelineId t, long from, long to) {
      for (long n = from; n <= to; n++) {
        WalFileName.Segment s = WalFileName.Segment.of(t, n, SIZE);
        held.put(s.toString(), s.endLsn());
        newest = new Position(t, s.endLsn());
      }
      return this;
    }

    Archive partial(TimelineId t, long n, String upTo) {
      held.put(WalFileName.Segment.of(t, n, SIZE).toString(), Lsn.parse(upTo));
      newest = new Position(t, Lsn.parse(upTo));
      return this;
    }

    Archive history(TimelineId t, String text) {
      histories.put(t, TimelineHistory.parse(t, text.getBytes(StandardCharsets.UTF_8)));
      return this;
    }

    @Override
    public WalSegmentSize segmentSize() {
      return SIZE;
    }

    @Override
    public Optional<Lsn> heldUpTo(WalFileName.Segment segment) {
      return Optional.ofNullable(held.get(segment.toString()));
    }

    @Override
    public Optional<Position> newest() {
      return Optional.ofNullable(newest);
    }

    @Override
    public Optional<TimelineHistory> history(TimelineId timeline) {
      return Optional.ofNullable(histories.get(timeline));
    }
  }

  static WalCoverage.Result check(Archive a, TimelineId st, String s, TimelineId et, String e)
      throws Exception {
    return WalCoverage.check(a, st, Lsn.parse(s), et, Lsn.parse(e));
  }

  @Test
  void heldWhenEverySegmentIsHeldAndTheLastOneUpToTheEnd() throws Exception {
    Archive a = new Archive().whole(T1, 2, 4).partial(T1, 5, "0/5000200");
    assertThat(check(a, T1, "0/2000028", T1, "0/5000100")).isInstanceOf(WalCoverage.Held.class);
    // the partial segment does not reach the end yet: wait for it
    assertThat(check(a, T1, "0/2000028", T1, "0/5000300"))
        .isEqualTo(new WalCoverage.Waiting("000000010000000000000005", Optional.of(a.newest)));
  }

  @Test
  void anEndAtASegmentBoundaryNeedsOnlyTheSegmentBefore() throws Exception {
    Archive a = new Archive().whole(T1, 2, 4);
    assertThat(check(a, T1, "0/2000028", T1, "0/5000000")).isInstanceOf(WalCoverage.Held.class);
  }

  @Test
  void waitsForSegmentsTheArchiveHasNotReachedYet() throws Exception {
    Archive a = new Archive().whole(T1, 2, 3);
    assertThat(check(a, T1, "0/2000028", T1, "0/5000100"))
        .isEqualTo(new WalCoverage.Waiting("000000010000000000000004", Optional.of(a.newest)));
    // an empty archive: wait
    assertThat(check(new Archive(), T1, "0/2000028", T1, "0/2000100"))
        .isEqualTo(new WalCoverage.Waiting("000000010000000000000002", Optional.empty()));
  }

  @Test
  void aGapTheArchiveMovedPastCanNeverBeFilled() throws Exception {
    // send-wal started at segment 5: the backup's start in segment 3 was never streamed
    Archive a = new Archive().whole(T1, 5, 7);
    WalCoverage.Result r = check(a, T1, "0/3000028", T1, "0/7000100");
    assertThat(r).isInstanceOf(WalCoverage.Never.class);
    assertThat(((WalCoverage.Never) r).reason())
        .contains("000000010000000000000003 is not in the archive")
        .contains("moved past it")
        .contains("CHECKPOINT on the primary");
    // a missing segment on a timeline the archive has left behind
    Archive b = new Archive().whole(T1, 2, 2).whole(T2, 4, 5);
    b.history(T2, "1\t0/4000100\tpromoted\n");
    assertThat(check(b, T1, "0/2000028", T2, "0/5000100")).isInstanceOf(WalCoverage.Never.class);
  }

  @Test
  void followsTheEndTimelinesHistoryAsRecoveryReadsIt() throws Exception {
    // timeline 2 begins inside segment 4: segments 2-3 come from timeline 1, 4-5 from timeline 2
    Archive a =
        new Archive()
            .whole(T1, 2, 3)
            .partial(T1, 4, "0/4000100")
            .whole(T2, 4, 4)
            .partial(T2, 5, "0/5000200")
            .history(T2, "1\t0/4000100\tno recovery target specified\n");
    assertThat(check(a, T1, "0/2000028", T2, "0/5000100")).isInstanceOf(WalCoverage.Held.class);
    // without timeline 2's history file the path is unknown: wait for it
    a.histories.clear();
    assertThat(check(a, T1, "0/2000028", T2, "0/5000100"))
        .isEqualTo(new WalCoverage.Waiting("00000002.history", Optional.of(a.newest)));
    // a start timeline that the end timeline did not branch from
    a.history(T2, "1\t0/4000100\tx\n");
    assertThat(check(a, TimelineId.of(3), "0/2000028", T2, "0/5000100"))
        .isInstanceOf(WalCoverage.Never.class);
  }

  @Test
  void anEndBeforeTheStartIsNeverRestorable() throws Exception {
    assertThat(check(new Archive(), T1, "0/3000000", T1, "0/2000000"))
        .isInstanceOf(WalCoverage.Never.class);
  }
}
