package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KlioCommandTest {

  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  @Test
  void versionNamesTheBuild() {
    assertThat(Main.run("--version")).isZero();
    assertThat(console.out()).startsWith("klio " + KlioVersion.version()).contains("Java 17");
    assertThat(KlioVersion.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void helpDescribesTheProduct() {
    assertThat(Main.run("--help")).isZero();
    assertThat(console.out()).contains("Usage: klio").contains("PostgreSQL").contains("--version");
  }

  @Test
  void noCommandOrAnUnknownOneIsAUsageError() {
    assertThat(Main.run()).isEqualTo(2);
    assertThat(console.err()).contains("a command is required");
    assertThat(Main.run("frobnicate")).isEqualTo(2);
    assertThat(console.err()).contains("frobnicate");
  }
}
