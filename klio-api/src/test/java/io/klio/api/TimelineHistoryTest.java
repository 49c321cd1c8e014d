package io.klio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TimelineHistoryTest {

  private static TimelineHistory parse(int tli, String text) {
    return TimelineHistory.parse(TimelineId.of(tli), text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesWhatPostgresqlWrites() {
    TimelineHistory h =
        parse(
            3,
            "1\t0/3000158\tno recovery target specified\n"
                + "\n"
                + "# a comment\n"
                + "2\t0/5000000\tat restore point \"before\"\n");
    assertThat(h.ancestors())
        .containsExactly(
            new TimelineHistory.Entry(TimelineId.of(1), Lsn.parse("0/3000158")),
            new TimelineHistory.Entry(TimelineId.of(2), Lsn.parse("0/5000000")));
    assertThat(h.begin(TimelineId.of(1))).isEmpty();
    assertThat(h.begin(TimelineId.of(2))).contains(Lsn.parse("0/3000158"));
    assertThat(h.begin(TimelineId.of(3))).contains(Lsn.parse("0/5000000"));
    assertThat(h.end(TimelineId.of(1))).contains(Lsn.parse("0/3000158"));
    assertThat(h.end(TimelineId.of(3))).isEmpty();
    assertThat(h.timelineAt(Lsn.parse("0/3000157"))).isEqualTo(TimelineId.of(1));
    assertThat(h.timelineAt(Lsn.parse("0/3000158"))).isEqualTo(TimelineId.of(2));
    assertThat(h.timelineAt(Lsn.parse("1/0"))).isEqualTo(TimelineId.of(3));
    assertThat(h.contains(TimelineId.of(2))).isTrue();
    assertThat(h.contains(TimelineId.of(4))).isFalse();
    assertThatThrownBy(() -> h.begin(TimelineId.of(4)))
        .hasMessageContaining("not in the history of 3");
  }

  @Test
  void badLinesAreNamed() {
    assertThatThrownBy(() -> parse(2, "1\t0/3000158\tok\nx\t0/1\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeline 2, line 2 ('x\t0/1')");
    assertThatThrownBy(() -> parse(2, "1\n"))
        .hasMessageContaining("line 1")
        .hasMessageContaining("expected");
    assertThatThrownBy(() -> parse(2, "3\t0/1\tx\n")).hasMessageContaining("must increase");
    assertThatThrownBy(() -> parse(3, "2\t0/1\n1\t0/2\n")).hasMessageContaining("must increase");
  }

  @Property(tries = 500)
  void anyTextParsesOrFailsCleanly(@ForAll String text) {
    try {
      parse(5, text);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
