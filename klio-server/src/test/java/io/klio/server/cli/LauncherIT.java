package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /** Runs the launcher with {@code env} added to (or, for an empty value, removed from) ours. */
  private static String runAs(String user, Map<String, String> env, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    if (user != null) {
      cmd.addAll(List.of("runuser", "-u", user, "--"));
    }
    cmd.add("env");
    env.forEach((k, v) -> cmd.add(v.isEmpty() ? "--unset=" + k : k + "=" + v));
    cmd.add(LAUNCHER.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
    b.environment().remove("KLIO_JAVA_OPTS");
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + "\n" + out;
  }

  /** The files in the one directory under {@code base} (the launcher's per-tree directory). */
  private static List<String> archives(Path base) throws Exception {
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    try (Stream<Path> trees = Files.list(base)) {
      List<Path> t = trees.toList();
      assertThat(t).as("one directory for this source tree in " + base).hasSize(1);
      try (Stream<Path> s = Files.list(t.get(0))) {
        return s.map(p -> p.getFileName().toString()).sorted().toList();
      }
    }
  }

  /**
   * The life of one command's archive in {@code base}: not written by --help; written by the first
   * run that exits normally; adopted and used (classes load from it) by the next runs; written
   * again once a jar is newer than it (a rebuild).
   */
  private static void archiveLifecycle(String user, Map<String, String> env, Path base, Path out)
      throws Exception {
    assertThat(runAs(user, env, "keys", "--help")).startsWith("0\n");
    assertThat(archives(base)).as("--help writes no archive").isEmpty();

    String kek = out.resolve("a").toString();
    assertThat(runAs(user, env, "keys", "generate-kek", "--out", kek)).startsWith("0\n");
    assertThat(archives(base)).singleElement().asString().matches("keys\\.[0-9]+\\.jsa");

    String second = runAs(user, env, "keys", "generate-kek", "--out", out.resolve("b").toString());
    assertThat(second).startsWith("0\n").doesNotContainIgnoringCase("warning");
    assertThat(archives(base)).containsExactly("keys.jsa");

    Map<String, String> logged = new java.util.HashMap<>(env);
    logged.put("KLIO_JAVA_OPTS", "-Xlog:class+load=info");
    assertThat(runAs(user, logged, "keys", "generate-kek", "--out", out.resolve("c").toString()))
        .startsWith("0\n")
        .contains("io.klio.server.cli.Main source: shared objects file (top)");

    // a rebuild: every jar is newer than the archive, which the next run writes anew
    try (Stream<Path> trees = Files.list(base)) {
      Path archive = trees.findFirst().orElseThrow().resolve("keys.jsa");
      Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2000-01-01T00:00:00Z")));
    }
    assertThat(runAs(user, env, "keys", "generate-kek", "--out", out.resolve("d").toString()))
        .startsWith("0\n");
    assertThat(archives(base)).singleElement().asString().matches("keys\\.[0-9]+\\.jsa");
    assertThat(Files.readString(out.resolve("d"))).isNotBlank();
  }

  @Test
  void aCommandWritesItsClassDataArchiveInTheUsersCacheAndLaterRunsUseIt(@TempDir Path tmp)
      throws Exception {
    Path cache = tmp.resolve("cache");
    archiveLifecycle(
        null, Map.of("XDG_CACHE_HOME", cache.toString()), cache.resolve("klio/cds"), tmp);
    assertThat(LAUNCHER.getParent().resolve("klio-server/target/cds"))
        .as("nothing in the build tree")
        .doesNotExist();
  }

  /** PostgreSQL's OS user runs restore_command; root owns the source tree. */
  @Test
  void anotherUserThanTheTreesOwnerGetsArchivesOfItsOwn(@TempDir Path tmp) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run as postgres");
    Path target = LAUNCHER.getParent().resolve("klio-server/target");
    assertThat(Files.getOwner(target).getName()).isNotEqualTo("postgres");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path home = Files.createDirectory(tmp.resolve("home"));
    chown(home);
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("HOME", home.toString());
    env.put("XDG_CACHE_HOME", "");
    archiveLifecycle("postgres", env, home.resolve(".cache/klio/cds"), home);

    // a HOME it cannot write: a directory of its own under TMPDIR, mode 0700
    Path tmpdir = Files.createDirectory(tmp.resolve("tmpdir"));
    Files.setPosixFilePermissions(tmpdir, PosixFilePermissions.fromString("rwxrwxrwx"));
    env.put("HOME", "/nonexistent");
    env.put("TMPDIR", tmpdir.toString());
    String uid =
        new String(
                new ProcessBuilder("id", "-u", "postgres").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8)
            .strip();
    Path own = tmpdir.resolve("klio-cds-" + uid);
    archiveLifecycle("postgres", env, own, tmpdir);
    assertThat(Files.getOwner(own).getName()).isEqualTo("postgres");
    assertThat(Files.getPosixFilePermissions(own))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));

    // a directory there that someone else made is not used: no archive, the command still runs
    Path planted = Files.createDirectory(tmp.resolve("planted"));
    Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path theirs = Files.createDirectory(planted.resolve("klio-cds-" + uid));
    Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxrwxrwx"));
    env.put("TMPDIR", planted.toString());
    String kek = tmpdir.resolve("e").toString();
    assertThat(runAs("postgres", env, "keys", "generate-kek", "--out", kek)).startsWith("0\n");
    assertThat(runAs("postgres", env, "keys", "generate-kek", "--out", kek + "2"))
        .startsWith("0\n");
    try (Stream<Path> s = Files.list(theirs)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  private static void chown(Path p) throws Exception {
    assertThat(new ProcessBuilder("chown", "postgres", p.toString()).start().waitFor()).isZero();
  }
}
