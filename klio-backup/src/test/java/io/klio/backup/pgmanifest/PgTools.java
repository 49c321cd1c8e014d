package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.fail;

import io.klio.testkit.postgres.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real pg_basebackup and pg_verifybackup for the integration tests: PostgreSQL 15's from the
 * system, 18's from the private directory {@code .ci/pg18-client-tools.sh} fills (system property
 * {@code klio.test.pg18ClientBin}). When they are absent the tests fail and say how to install
 * them. There are none for 16 and 17 on the build machines: their servers are backed up with
 * pg_basebackup 18 (which reads the server's own manifest), and nothing verifies them but Klio.
 */
final class PgTools {

  private PgTools() {}

  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  /** The directory with pg_basebackup and pg_verifybackup of {@code major}, if there is one. */
  static Optional<Path> binDir(int major) {
    return switch (major) {
      case 15 ->
          Optional.of(
              required(
                  Path.of("/usr/lib/postgresql/15/bin"),
                  15,
                  "install them with: apt-get install postgresql-client-15"));
      case 18 ->
          Optional.of(
              required(
                  Path.of(
                      System.getProperty("klio.test.pg18ClientBin", "/opt/klio-pg18-client/bin")),
                  18,
                  "install them with .ci/pg18-client-tools.sh (as root; it extracts Debian sid's"
                      + " postgresql-client-18 into /opt/klio-pg18-client without touching the system),"
                      + " or point -Dklio.test.pg18ClientBin at a directory holding both"));
      default -> Optional.empty();
    };
  }

  /** pg_basebackup of the server's major, or 18's for 16 and 17 (it backs up older servers). */
  static Path pgBasebackup(int major) {
    return binDir(major).or(() -> binDir(18)).orElseThrow().resolve("pg_basebackup");
  }

  private static Path required(Path dir, int major, String howToInstall) {
    for (String tool : List.of("pg_basebackup", "pg_verifybackup")) {
      if (!Files.isExecutable(dir.resolve(tool))) {
        fail(
            "PostgreSQL "
                + major
                + "'s "
                + tool
                + " is not at "
                + dir
                + "; these tests need the real one: "
                + howToInstall);
      }
    }
    return dir;
  }

  /** {@code pg_basebackup -Fp -c fast -X none} of {@code server} into {@code target}. */
  static void baseBackup(PostgresServer server, Path target, String... extra) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                pgBasebackup(server.major()).toString(),
                "-h",
                server.host(),
                "-p",
                Integer.toString(server.port()),
                "-U",
                PostgresServer.REPLICATION_USER,
                "-w",
                "-D",
                target.toString(),
                "-Fp",
                "-c",
                "fast",
                "-X",
                "none"));
    cmd.addAll(List.of(extra));
    Result r = run(cmd, Map.of("PGPASSWORD", server.password()));
    if (!r.ok()) {
      fail("pg_basebackup failed: " + String.join(" ", cmd) + "\n" + r.output());
    }
  }

  /** The real {@code pg_verifybackup -n} of {@code major} on {@code dir}, with {@code args}. */
  static Result verifyBackup(int major, Path dir, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binDir(major).orElseThrow().resolve("pg_verifybackup").toString());
    cmd.add("-n");
    cmd.addAll(args);
    cmd.add(dir.toString());
    return run(cmd, Map.of());
  }

  static Result run(List<String> cmd, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail("timed out: " + String.join(" ", cmd));
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs a command that must succeed (cp, chown, mkfifo). */
  static void sh(String... cmd) {
    Result r = run(List.of(cmd), Map.of());
    if (!r.ok()) {
      fail(String.join(" ", cmd) + " failed: " + r.output());
    }
  }
}
