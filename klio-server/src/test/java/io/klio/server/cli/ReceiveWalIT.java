package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code klio receive-wal} as a process, against real servers and against pg_receivewal. */
class ReceiveWalIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  private static final WalSegmentSize SEG = WalSegmentSize.DEFAULT;

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  /** Starts {@code klio receive-wal} (or pg_receivewal with {@code pgReceivewal}) as a process. */
  static Process start(PostgresServer s, boolean pgReceivewal, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (pgReceivewal) {
      cmd.add("/usr/lib/postgresql/15/bin/pg_receivewal");
    } else {
      cmd.addAll(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m",
              "-cp",
              System.getProperty("java.class.path"),
              Main.class.getName(),
              "receive-wal"));
    }
    cmd.addAll(List.of("-d", "host=127.0.0.1 port=" + s.port() + " user=klio"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", s.password());
    return pb.start();
  }

  static String run(PostgresServer s, boolean pgReceivewal, String... args) throws Exception {
    Process p = start(s, pgReceivewal, args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + ":" + out;
  }

  static Lsn lsn(PostgresServer s, String sql) {
    return Lsn.parse(s.sql(sql));
  }

  @ParameterizedTest
  @MethodSource("versions")
  void sameFilesAsPgReceivewal(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    assertThat(run(s, false, "--create-slot", "-S", "klio")).startsWith("0:");
    assertThat(run(s, false, "--create-slot", "-S", "klio"))
        .startsWith("1:")
        .contains("already exists");
    assertThat(run(s, false, "--create-slot", "--if-not-exists", "-S", "klio")).startsWith("0:");
    s.sql("SELECT pg_create_physical_replication_slot('reference', true)");
    s.sql(
        "CREATE TABLE t AS SELECT g, repeat(md5(g::text), 10) AS pad FROM generate_series(1, 200000) g");
    s.sql("SELECT pg_switch_wal()");
    s.sql("INSERT INTO t SELECT g, 'x' FROM generate_series(1, 1000) g");
    Lsn end = lsn(s, "SELECT pg_current_wal_lsn()");

    Path ours = tmp.resolve("klio");
    assertThat(run(s, false, "-D", ours.toString(), "-S", "klio", "-E", end.toString(), "-v"))
        .startsWith("0:")
        .contains("end position " + end + " reached");
    List<String> ourFiles = list(ours);
    assertThat(ourFiles.stream().filter(n -> n.length() == 24)).hasSizeGreaterThanOrEqualTo(2);
    assertThat(ourFiles).anyMatch(n -> n.endsWith(".partial"));

    if (major == 15) {
      // the system's pg_receivewal speaks to its own major only
      Path theirs = tmp.resolve("pg_receivewal");
      Files.createDirectories(theirs);
      assertThat(run(s, true, "-D", theirs.toString(), "-S", "reference", "-E", end.toString()))
          .startsWith("0:");
      assertThat(ourFiles).isEqualTo(list(theirs));
      for (String n : ourFiles) {
        if (n.length() == 24) {
          assertThat(Files.mismatch(ours.resolve(n), theirs.resolve(n))).as(n).isEqualTo(-1L);
        } else {
          // pg_receivewal stores the whole message that crosses endpos, klio stops exactly at it:
          // the partial segments agree up to endpos
          int upTo = end.segmentOffset(SEG);
          byte[] a = Files.readAllBytes(ours.resolve(n));
          byte[] b = Files.readAllBytes(theirs.resolve(n));
          assertThat(a).hasSameSizeAs(b);
          assertThat(java.util.Arrays.copyOf(a, upTo))
              .as(n)
              .isEqualTo(java.util.Arrays.copyOf(b, upTo));
        }
      }
    }
    for (String n : ourFiles) {
      if (n.length() == 24) {
        assertThat(Files.mismatch(ours.resolve(n), s.dataDirectory().resolve("pg_wal").resolve(n)))
            .as(n)
            .isEqualTo(-1L);
      }
    }
    assertThat(run(s, false, "--drop-slot", "-S", "klio")).startsWith("0:");
    assertThat(s.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'klio'"))
        .isEqualTo("0");
  }

  @ParameterizedTest
  @MethodSource("versions")
  void killNineNeverLosesOrCorruptsWalAndTheSlotNeverRunsAhead(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    assertThat(run(s, false, "--create-slot", "-S", "klio")).startsWith("0:");
    s.sql("CREATE TABLE load (v text)");
    Process load =
        s.sqlAsync(
            "DO $$ BEGIN FOR i IN 1..60 LOOP"
                + " INSERT INTO load SELECT repeat(md5(g::text), 8) FROM generate_series(1, 8000) g;"
                + " COMMIT; END LOOP; END $$");
    Path dir = tmp.resolve("wal");
    Random random = new Random();
    for (int round = 0; round < 6; round++) {
      Process r = start(s, false, "-D", dir.toString(), "-S", "klio");
      Thread.sleep(400 + random.nextInt(1200));
      new ProcessBuilder("kill", "-9", Long.toString(r.pid())).start().waitFor();
      assertThat(r.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Lsn slot = lsn(s, "SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'");
      List<String> complete = complete(dir);
      Lsn stored =
          complete.isEmpty()
              ? Lsn.INVALID
              : ((WalFileName.Segment) WalFileName.parse(complete.get(complete.size() - 1), SEG))
                  .endLsn();
      if (!complete.isEmpty()) {
        assertThat(slot).as("round %d: slot vs stored WAL", round).isLessThanOrEqualTo(stored);
      }
      checkSegments(s, dir);
    }
    assertThat(load.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(load.exitValue()).isZero();
    Lsn end = lsn(s, "SELECT pg_current_wal_lsn()");
    assertThat(run(s, false, "-D", dir.toString(), "-S", "klio", "-E", end.toString()))
        .startsWith("0:");
    List<String> complete = complete(dir);
    assertThat(complete).hasSizeGreaterThanOrEqualTo(5);
    checkSegments(s, dir);
    // no gap: every segment from the first to the last is there
    long first = ((WalFileName.Segment) WalFileName.parse(complete.get(0), SEG)).segmentNumber();
    long last =
        ((WalFileName.Segment) WalFileName.parse(complete.get(complete.size() - 1), SEG))
            .segmentNumber();
    assertThat((long) complete.size()).isEqualTo(last - first + 1);
    assertThat(lsn(s, "SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'"))
        .isLessThanOrEqualTo(end);
  }

  @ParameterizedTest
  @MethodSource("versions")
  void exitBehaviour(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    assertThat(run(s, false)).startsWith("1:").contains("no target directory specified");
    assertThat(run(s, false, "--create-slot")).startsWith("1:").contains("needs a slot");
    assertThat(run(s, false, "-D", tmp.toString(), "-S", "nope", "-n"))
        .startsWith("1:")
        .contains("\"nope\" does not exist");
    s.stop();
    assertThat(run(s, false, "-D", tmp.toString(), "-n"))
        .startsWith("1:")
        .contains("could not connect");
  }

  /** Every complete segment equals the server's own file. */
  private static void checkSegments(PostgresServer s, Path dir) throws IOException {
    for (String n : complete(dir)) {
      Path server = s.dataDirectory().resolve("pg_wal").resolve(n);
      if (Files.exists(server)) {
        assertThat(Files.mismatch(dir.resolve(n), server)).as(n).isEqualTo(-1L);
      }
    }
  }

  private static List<String> complete(Path dir) throws IOException {
    return list(dir).stream().filter(n -> n.length() == 24).toList();
  }

  private static List<String> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> st = Files.list(dir)) {
      return st.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
