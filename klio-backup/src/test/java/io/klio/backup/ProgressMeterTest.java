package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressMeterTest {

  static final long S = 1_000_000_000L;

  @Test
  void steadyRateAndEta() {
    ProgressMeter m = new ProgressMeter(Duration.ofSeconds(10));
    assertThat(m.rate()).isEmpty();
    assertThat(m.eta(1000)).isEmpty();
    for (int t = 0; t <= 20; t++) {
      m.update(t * S, t * 100L);
    }
    assertThat(m.rate().getAsDouble()).isEqualTo(100.0);
    assertThat(m.averageRate().getAsDouble()).isEqualTo(100.0);
    assertThat(m.eta(3000)).contains(Duration.ofSeconds(10));
    assertThat(m.fraction(4000)).isEqualTo(0.5);
    assertThat(m.eta(2000)).contains(Duration.ZERO);
  }

  @Test
  void rateFollowsTheWindow() {
    ProgressMeter m = new ProgressMeter(Duration.ofSeconds(10));
    long done = 0;
    for (int t = 0; t <= 60; t++) { // 1000/s for a minute, then 10/s
      m.update(t * S, done);
      done += 1000;
    }
    done -= 1000;
    for (int t = 61; t <= 100; t++) {
      done += 10;
      m.update(t * S, done);
    }
    assertThat(m.rate().getAsDouble()).isEqualTo(10.0);
    assertThat(m.averageRate().getAsDouble()).isEqualTo(done / 100.0);
  }

  @Test
  void manyCloseSamplesStayBounded() {
    ProgressMeter m = new ProgressMeter(Duration.ofSeconds(1));
    for (long t = 0; t < 1_000_000; t++) {
      m.update(t * 1000, t); // a sample every microsecond
    }
    assertThat(m.rate().getAsDouble())
        .isEqualTo(1_000_000.0, org.assertj.core.data.Offset.offset(1.0));
  }

  @Test
  void aStallHasNoEta() {
    ProgressMeter m = new ProgressMeter(Duration.ofSeconds(5));
    m.update(0, 100);
    m.update(10 * S, 100);
    assertThat(m.rate().getAsDouble()).isZero();
    assertThat(m.eta(200)).isEmpty();
    assertThat(m.fraction(0)).isEqualTo(1);
  }

  @Test
  void refusesGoingBackwards() {
    ProgressMeter m = new ProgressMeter(Duration.ofSeconds(5));
    m.update(10, 100);
    assertThatThrownBy(() -> m.update(20, 50)).hasMessageContaining("backwards");
    assertThatThrownBy(() -> m.update(5, 200)).hasMessageContaining("backwards");
    assertThatThrownBy(() -> new ProgressMeter(Duration.ZERO)).hasMessageContaining("positive");
  }
}
