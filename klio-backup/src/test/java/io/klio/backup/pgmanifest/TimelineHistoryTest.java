package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimelineHistoryTest {

  private static final TimelineId T3 = TimelineId.of(3);

  @Test
  void parsesWhatTheServerWrites() {
    // writeTimeLineHistory: the parent's lines, a blank line, then "<tli>\t<X/X>\t<reason>\n"
    String content =
        "1\t0/3000060\tno recovery target specified\n"
            + "\n"
            + "2\t0/50000A0\tat restore point \"before\"\n";
    TimelineHistory h = TimelineHistory.parse(T3, content);
    assertThat(h.timeline()).isEqualTo(T3);
    assertThat(h.entries())
        .containsExactly(
            new TimelineHistory.Entry(
                TimelineId.FIRST, Lsn.parse("0/3000060"), "no recovery target specified"),
            new TimelineHistory.Entry(
                TimelineId.of(2), Lsn.parse("0/50000A0"), "at restore point \"before\""));
  }

  @Test
  void skipsCommentsAndBlankLinesAndTakesCrLf() {
    String content = "# a comment\n   \n  # indented comment\r\n1 0/16B3748\r\n";
    assertThat(TimelineHistory.parse(TimelineId.of(2), content).entries())
        .containsExactly(new TimelineHistory.Entry(TimelineId.FIRST, Lsn.parse("0/16B3748"), ""));
    assertThat(TimelineHistory.parse(TimelineId.of(2), "").entries()).isEmpty();
    assertThat(TimelineHistory.none(TimelineId.FIRST).entries()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "`1\t0/1\nx\t0/2\n`| line 2 ('x\t0/2'): expected a numeric timeline id first",
        "`-1\t0/1\n`| line 1 ('-1\t0/1'): expected a numeric timeline id first",
        "`0\t0/1\n`| line 1 ('0\t0/1'): timeline 0 is out of range",
        "`99999999999\t0/1\n`| expected a numeric timeline id first",
        "`1\n`| line 1 ('1'): expected a write-ahead log switchpoint location",
        "`1\t\tx\n`| line 1 ('1\t\tx'): expected a write-ahead log switchpoint location",
        "`1/0/16\n`| line 1 ('1/0/16'): expected a write-ahead log switchpoint location",
        "`1\t0/XYZ\treason\n`| line 1 ('1\t0/XYZ\treason'): expected a write-ahead log switchpoint",
        "`1\t0/1\n\n1\t0/2\n`| line 3 ('1\t0/2'): timeline ids must increase from line to line",
        "`1\t0/1\n3\t0/2\n`| line 2 ('3\t0/2'): timeline 3 is not older than timeline 3",
      })
  void badLinesAreNamed(String content, String message) {
    assertThatThrownBy(() -> TimelineHistory.parse(T3, content))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid history file of timeline 3, ")
        .hasMessageContaining(message);
  }

  @Test
  void theRecordChecksItsEntriesToo() {
    TimelineHistory.Entry e = new TimelineHistory.Entry(T3, Lsn.parse("0/1"), "");
    assertThatThrownBy(() -> new TimelineHistory(T3, List.of(e)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("older");
    TimelineHistory.Entry one = new TimelineHistory.Entry(TimelineId.FIRST, Lsn.parse("0/1"), "");
    assertThatThrownBy(() -> new TimelineHistory(T3, List.of(one, one)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("increase");
  }
}
