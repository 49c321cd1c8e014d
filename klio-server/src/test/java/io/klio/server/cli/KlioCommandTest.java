package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KlioCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  @Test
  void versionNamesTheBuild() {
    assertThat(Main.run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("klio " + KlioVersion.version())
        .contains("Java 17");
    assertThat(KlioVersion.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void helpDescribesTheProduct() {
    assertThat(Main.run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Usage: klio")
        .contains("PostgreSQL")
        .contains("--version");
  }

  @Test
  void noCommandOrAnUnknownOneIsAUsageError() {
    assertThat(Main.run()).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("a command is required");
    assertThat(Main.run("frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("frobnicate");
  }
}
