package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.client.KlioConnection;
import io.klio.client.WalFetcher;
import io.klio.server.cli.RestoreCommandLine;
import io.klio.server.config.ClientConfig;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore_command of {@link RestoreCommandLine} and the prefetcher behind it, with a real
 * server holding a few dozen archived segments of a real PostgreSQL 15 (1 MiB segments, to stay
 * quick).
 */
class PrefetchIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir static Path tmp;

  private static final Path LAUNCHER = Path.of("..", "klio").toAbsolutePath().normalize();
  private static final WalSegmentSize SIZE = WalSegmentSize.ofMegabytes(1);
  private static final String TABLE_CHECK = "SELECT count(*) || '/' || sum(hashtext(pad)) FROM t";

  private static KlioFixture klio;
  private static PostgresServer copy;
  private static Path config;
  private static KlioConnection connection;
  private static List<String> segments;
  private static String expected;

  @BeforeAll
  static void archiveAFewDozenSegments() throws Exception {
    PostgresServer primary = pg.shared(PostgresConfig.of(15).withWalSegmentSizeMb(1));
    copy = primary.coldCopy();
    klio = new KlioFixture(tmp, WalPathIT.conn(primary), false, "");
    // the fixture's client.yaml with a deeper prefetch; readable by PostgreSQL's OS user
    config = tmp.resolve("prefetch.yaml");
    Files.writeString(
        config,
        Files.readString(klio.clientConfig()).replace("  prefetch: 2\n", "  prefetch: 16\n"));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    klio.startServer();
    klio.startSendWal();
    await(
        "send-wal streaming",
        () ->
            primary
                .sql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
                .equals("1"));
    String first = primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())");
    primary.sql(
        "CREATE TABLE t AS SELECT g, repeat(md5(g::text), 2) AS pad"
            + " FROM generate_series(1, 300000) g");
    expected = primary.sql(TABLE_CHECK);
    String last = primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())");
    primary.sql("SELECT pg_switch_wal()");
    WalPathIT.awaitFlushed(primary, Lsn.parse(primary.sql("SELECT pg_current_wal_lsn()")));
    primary.stop(); // the archive is complete up to `last`, then the .partial of the next one
    segments = new ArrayList<>();
    for (WalFileName.Segment s = WalFileName.Segment.parse(first, SIZE);
        s.compareTo(WalFileName.Segment.parse(last, SIZE)) <= 0;
        s = s.next()) {
      segments.add(s.toString());
    }
    assertThat(segments).hasSizeGreaterThan(24);
    connection = KlioConnection.open(ClientConfig.load(config).client());
    // segments are archived in the background, right after they complete
    await("the archiving of " + last, () -> archived(last).isPresent());
  }

  @AfterAll
  static void close() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (copy != null) {
      copy.close();
    }
    if (klio != null) {
      klio.close();
    }
  }

  /** The archived complete segment {@code name}, as get-wal would serve it. */
  private static Optional<byte[]> archived(String name) {
    try {
      WalFetcher.Fetched f = connection.walFetcher().fetch(name, Duration.ofSeconds(30));
      return f.partial() ? Optional.empty() : Optional.of(f.content());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Runs the restore command as PostgreSQL would, in {@code dir}: its exit status. */
  private static int restore(Path dir, String name, String destination) throws Exception {
    String command =
        RestoreCommandLine.restoreCommand(LAUNCHER, config, RestoreCommandLine.DEFAULT_SPOOL)
            .replace("%f", name)
            .replace("%p", destination);
    Process p =
        new ProcessBuilder("/bin/sh", "-c", command)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(command).isTrue();
    return p.exitValue();
  }

  private static String log(Path spool) throws IOException {
    Path log = spool.resolve("prefetch.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** The process id the running (or last) prefetcher wrote into the spool's lock file. */
  private static long prefetcherPid(Path spool) throws IOException {
    return Long.parseLong(Files.readString(spool.resolve("prefetch.lock")).strip());
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static List<String> walFiles(Path spool) throws IOException {
    try (Stream<Path> s = Files.list(spool)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}")).toList();
    }
  }

  @Test
  void aRecoveryReplaysMostSegmentsFromTheSpoolAndThePrefetcherEndsWithIt() throws Exception {
    String setting =
        RestoreCommandLine.setting(LAUNCHER, config, RestoreCommandLine.DEFAULT_SPOOL)
            .substring("restore_command = ".length());
    copy.startRecovery(Map.of("restore_command", setting));
    copy.awaitRecoveryEnd(Duration.ofMinutes(3));
    assertThat(copy.sql(TABLE_CHECK)).isEqualTo(expected);

    Path spool = copy.dataDirectory().resolve(RestoreCommandLine.DEFAULT_SPOOL);
    await("the prefetcher's end in " + spool, () -> exited(spool));
    String log = log(spool);
    assertThat(log).contains("prefetcher exits: the recovery of " + copy.dataDirectory());
    log.lines().filter(l -> l.contains("prefetcher")).forEach(System.out::println);
    Matcher m = Pattern.compile("(\\d+) taken by the restore command").matcher(log);
    assertThat(m.find()).as(log).isTrue();
    // most segments came from the spool, not from a get-wal that starts a JVM
    assertThat(Integer.parseInt(m.group(1))).as(log).isGreaterThan(segments.size() / 2);
    long pid = prefetcherPid(spool);
    await("the exit of prefetcher " + pid, () -> !alive(pid));
    assertThat(walFiles(spool)).as("nothing is left in the spool").isEmpty();
  }

  private static boolean exited(Path spool) {
    try {
      return log(spool).contains("prefetcher exits:");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void twoMissesAtOnceStartOnePrefetcherAndAMissingFileIsNotFound() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("two-misses"));
    Path spool = dir.resolve(RestoreCommandLine.DEFAULT_SPOOL);
    List<Process> misses = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String command =
          RestoreCommandLine.restoreCommand(LAUNCHER, config, RestoreCommandLine.DEFAULT_SPOOL)
              .replace("%f", segments.get(i))
              .replace("%p", "out" + i);
      misses.add(
          new ProcessBuilder("/bin/sh", "-c", command)
              .directory(dir.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start());
    }
    for (int i = 0; i < 2; i++) {
      assertThat(misses.get(i).waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(misses.get(i).exitValue()).isZero();
      assertThat(Files.readAllBytes(dir.resolve("out" + i)))
          .isEqualTo(archived(segments.get(i)).orElseThrow());
    }
    long pid = prefetcherPid(spool);
    await("the prefetcher filling " + spool, () -> spooled(spool) >= 4);
    assertThat(Pattern.compile("prefetcher \\d+ started").matcher(log(spool)).results().count())
        .as(log(spool))
        .isEqualTo(1);
    for (String name : walFiles(spool)) {
      assertThat(Files.readAllBytes(spool.resolve(name))).isEqualTo(archived(name).orElseThrow());
    }

    // what the archive does not hold is "not found" (1), and nothing is written; the running
    // prefetcher answers, not a get-wal JVM
    for (String missing : List.of("000000010000000100000000", "00000009.history")) {
      assertThat(restore(dir, missing, "missing")).as(missing).isEqualTo(1);
      assertThat(dir.resolve("missing")).doesNotExist();
      assertThat(log(spool)).contains("asked for " + missing + ": missing");
    }
    // a segment outside the prefetcher's window: it fetches it when asked
    String far = segments.get(segments.size() - 1);
    assertThat(walFiles(spool)).doesNotContain(far);
    assertThat(restore(dir, far, "far")).isZero();
    assertThat(Files.readAllBytes(dir.resolve("far"))).isEqualTo(archived(far).orElseThrow());
    assertThat(log(spool)).contains("asked for " + far + ": spooled");
    try (Stream<Path> s = Files.list(spool)) {
      assertThat(
              s.map(p -> p.getFileName().toString())
                  .filter(n -> n.matches(".*(ask|answer|reply).*")))
          .as("the exchange files are gone")
          .isEmpty();
    }

    // the prefetcher ends when its spool's directory is gone
    assertThat(alive(pid)).isTrue();
    Path gone = tmp.resolve("two-misses-gone");
    Files.move(dir, gone);
    await("the end of prefetcher " + pid, () -> !alive(pid));
    deleteTree(gone);
  }

  private static int spooled(Path spool) {
    try {
      return walFiles(spool).size();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * kill -9 of the prefetcher while it fills the spool, at a few moments: whatever the moment,
   * every file under a WAL name is the whole archived segment (what the restore command takes), the
   * half-written ones have temporary names, and the next prefetcher removes those.
   */
  @Test
  void aKilledPrefetcherLeavesOnlyWholeSegmentsUnderWalNames() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("killed"));
    Path spool = dir.resolve(RestoreCommandLine.DEFAULT_SPOOL);
    long killed = -1;
    for (int round = 0; round < 3; round++) {
      String asked = segments.get(round * 8);
      assertThat(restore(dir, asked, "out")).isZero();
      Files.delete(dir.resolve("out"));
      long pid = prefetcherPid(spool);
      assertThat(pid).isNotEqualTo(killed);
      int atLeast = round * 2;
      await("the prefetcher filling " + spool, () -> spooled(spool) >= atLeast);
      if (killed > 0) {
        String stale = ".tmp-" + killed + "-";
        try (Stream<Path> s = Files.list(spool)) {
          assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.contains(stale)))
              .as("what the killed prefetcher was writing")
              .isEmpty();
        }
      }
      new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
      await("the end of prefetcher " + pid, () -> !alive(pid));
      killed = pid;
      for (String name : walFiles(spool)) {
        byte[] archived = archived(name).orElseThrow();
        assertThat(Files.readAllBytes(spool.resolve(name))).as(name).isEqualTo(archived);
        assertThat(restore(dir, name, "out")).as(name).isZero();
        assertThat(Arrays.equals(Files.readAllBytes(dir.resolve("out")), archived)).isTrue();
        Files.delete(dir.resolve("out"));
      }
    }
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
