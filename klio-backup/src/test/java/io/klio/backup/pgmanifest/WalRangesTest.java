package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.TimelineHistory;
import io.klio.api.TimelineId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's rules for WAL-Ranges, with one, two and three timelines. */
class WalRangesTest {

  private static final TimelineId T1 = TimelineId.FIRST;
  private static final TimelineId T2 = TimelineId.of(2);
  private static final TimelineId T3 = TimelineId.of(3);

  /** 2's history: 1 ended at 0/5000000. 3's: 1 ended at 0/5000000, 2 at 0/9000000. */
  private static final TimelineHistory H2 =
      TimelineHistory.parse(T2, "1\t0/5000000\treason\n".getBytes(StandardCharsets.UTF_8));

  private static final TimelineHistory H3 =
      TimelineHistory.parse(
          T3, "1\t0/5000000\treason\n\n2\t0/9000000\treason\n".getBytes(StandardCharsets.UTF_8));

  @Test
  void oneTimeline() {
    assertThat(
            WalRanges.compute(
                T1, lsn("0/2000028"), T1, lsn("0/2000100"), new TimelineHistory(T1, List.of())))
        .containsExactly(range(T1, "0/2000028", "0/2000100"));
    // a backup entirely on timeline 2: timeline 1 ended before the backup began
    assertThat(WalRanges.compute(T2, lsn("0/6000028"), T2, lsn("0/6000100"), H2))
        .containsExactly(range(T2, "0/6000028", "0/6000100"));
  }

  @Test
  void twoTimelines() {
    // a standby backup that began on 1 and ended after a promotion to 2
    assertThat(WalRanges.compute(T1, lsn("0/4000028"), T2, lsn("0/6000100"), H2))
        .containsExactly(range(T2, "0/5000000", "0/6000100"), range(T1, "0/4000028", "0/5000000"));
    // a backup that began right at the switch still needs the start timeline's range
    assertThat(WalRanges.compute(T1, lsn("0/5000000"), T2, lsn("0/6000100"), H2))
        .containsExactly(range(T2, "0/5000000", "0/6000100"), range(T1, "0/5000000", "0/5000000"));
  }

  @Test
  void threeTimelines() {
    assertThat(WalRanges.compute(T1, lsn("0/4000028"), T3, lsn("0/A000100"), H3))
        .containsExactly(
            range(T3, "0/9000000", "0/A000100"),
            range(T2, "0/5000000", "0/9000000"),
            range(T1, "0/4000028", "0/5000000"));
    assertThat(WalRanges.compute(T2, lsn("0/6000028"), T3, lsn("0/A000100"), H3))
        .containsExactly(range(T3, "0/9000000", "0/A000100"), range(T2, "0/6000028", "0/9000000"));
    assertThat(WalRanges.compute(T3, lsn("0/9800028"), T3, lsn("0/A000100"), H3))
        .containsExactly(range(T3, "0/9800028", "0/A000100"));
  }

  @Test
  void inconsistentInputIsRefused() {
    assertThatThrownBy(() -> WalRanges.compute(T1, lsn("0/4000028"), T3, lsn("0/A000100"), H2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("history given is that of timeline 2");
    // the start timeline is not an ancestor of the end timeline
    TimelineId t4 = TimelineId.of(4);
    TimelineHistory h4 =
        TimelineHistory.parse(t4, "1\t0/5000000\n3\t0/9000000\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> WalRanges.compute(T2, lsn("0/4000000"), t4, lsn("0/A000000"), h4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected start timeline 2 but found timeline 1");
    // the start timeline had ended before the backup's start
    assertThatThrownBy(() -> WalRanges.compute(T1, lsn("0/6000000"), T2, lsn("0/7000000"), H2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("start timeline 1 not found in history of timeline 2");
    assertThatThrownBy(
            () ->
                WalRanges.compute(
                    T1, lsn("0/3000000"), T1, lsn("0/2000000"), new TimelineHistory(T1, List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backwards");
    assertThatCode(
            () ->
                WalRanges.compute(
                    T2, lsn("0/6000000"), T2, lsn("0/7000000"), new TimelineHistory(T2, List.of())))
        .doesNotThrowAnyException();
  }

  private static Lsn lsn(String s) {
    return Lsn.parse(s);
  }

  private static WalRange range(TimelineId t, String start, String end) {
    return new WalRange(t, lsn(start), lsn(end));
  }
}
