package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./klio} script at the repository root runs the packaged CLI. */
class LauncherIT {

  private static final Path LAUNCHER = Path.of("..", "klio").toAbsolutePath().normalize();

  private static String run(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = LAUNCHER.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + "\n" + out;
  }

  @Test
  void versionAndHelpRunThroughTheLauncher() throws Exception {
    assertThat(Files.isExecutable(LAUNCHER)).as(LAUNCHER + " is executable").isTrue();
    assertThat(run("--version")).startsWith("0\nklio " + KlioVersion.version());
    assertThat(run("--help")).startsWith("0\nUsage: klio");
    assertThat(run("nope")).startsWith("2\n");
  }

  private static String[] files(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return new String[0];
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void aCommandWritesItsClassDataArchiveOnceAndLaterRunsUseItQuietly(@TempDir Path tmp)
      throws Exception {
    Path cds = LAUNCHER.getParent().resolve("klio-server/target/cds");
    if (Files.isDirectory(cds)) {
      try (Stream<Path> s = Files.list(cds)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Files.delete(p);
        }
      }
    }
    assertThat(run("keys", "--help")).startsWith("0\n");
    assertThat(files(cds)).as("--help writes no archive").isEmpty();

    assertThat(run("keys", "generate-kek", "--out", tmp.resolve("a").toString())).startsWith("0\n");
    assertThat(files(cds)).singleElement().asString().matches("keys\\.[0-9]+\\.jsa");

    String second = run("keys", "generate-kek", "--out", tmp.resolve("b").toString());
    assertThat(second).startsWith("0\n").doesNotContainIgnoringCase("warning");
    assertThat(files(cds)).containsExactly("keys.jsa");
    assertThat(Files.readString(tmp.resolve("b"))).isNotBlank();
  }
}
