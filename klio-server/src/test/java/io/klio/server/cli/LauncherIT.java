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
    return runWith("", args);
  }

  private static String runWith(String javaOpts, String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = LAUNCHER.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
    b.environment().put("KLIO_JAVA_OPTS", javaOpts);
    Process p = b.start();
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

  /** The JIT tier limit the launcher gives send-wal with this client.yaml. */
  private static String tierLimit(Path config) throws Exception {
    // the configuration is incomplete (no server): send-wal exits 2 after the JVM printed its flags
    String out = runWith("-XX:+PrintFlagsFinal", "send-wal", "--config", config.toString());
    assertThat(out).startsWith("2\n");
    return out.lines()
        .filter(l -> l.contains(" TieredStopAtLevel "))
        .map(l -> l.replaceAll(".*= *([0-9]+).*", "$1"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aSynchronousSendWalGetsTheOptimizingCompilerAndOthersOnlyC1(@TempDir Path tmp)
      throws Exception {
    Path async = tmp.resolve("async.yaml");
    Files.writeString(async, "cluster: main\npostgres:\n  synchronous: false\n");
    Path sync = tmp.resolve("sync.yaml");
    Files.writeString(sync, "cluster: main\npostgres:\n  synchronous: true # zero RPO\n");
    assertThat(tierLimit(async)).isEqualTo("1");
    assertThat(tierLimit(sync)).isEqualTo("4");
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
