package io.klio.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupOptionsTest {

  @Test
  void defaultsAndChecks() {
    BackupOptions o = BackupOptions.of(Path.of("/pg"), "host=/tmp");
    assertThat(o.label()).isEqualTo("klio");
    assertThat(o.fast()).isTrue();
    assertThat(o.walTimeout()).isEmpty();
    assertThat(o.jobs()).isBetween(1, 64);
    assertThat(o.withJobs(3).withLabel("x").withFast(false).withWalTimeout(Duration.ofMinutes(1)))
        .isEqualTo(
            new BackupOptions(
                Path.of("/pg"), "host=/tmp", 3, "x", false, Optional.of(Duration.ofMinutes(1))));
    assertThatThrownBy(() -> o.withJobs(0)).hasMessageContaining("jobs must be 1 to 64, not 0");
    assertThatThrownBy(() -> o.withJobs(65)).hasMessageContaining("not 65");
    for (String bad : new String[] {"", "a\nb", "a\rb", "x".repeat(1024)}) {
      assertThatThrownBy(() -> o.withLabel(bad)).hasMessageContaining("1 to 1023 bytes");
    }
    assertThat(o.withLabel("x".repeat(1023)).label()).hasSize(1023);
    assertThatThrownBy(() -> o.withWalTimeout(Duration.ZERO)).hasMessageContaining("positive");
  }
}
