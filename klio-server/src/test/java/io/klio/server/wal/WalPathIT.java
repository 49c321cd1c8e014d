package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The WAL path end to end: send-wal → server (Tier 1) → get-wal as restore_command, with real
 * PostgreSQL, real processes and mTLS.
 */
class WalPathIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  static String conn(PostgresServer s) {
    return "host=127.0.0.1 port=" + s.port() + " user=postgres password=" + s.password();
  }

  static void pgbench(PostgresServer s, String... args) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "/usr/lib/postgresql/15/bin/pgbench",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(s.port()),
                "-U",
                "postgres"));
    cmd.addAll(List.of(args));
    cmd.add("postgres");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", s.password());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  /** Waits until the slot's flush position (what the server acknowledged) reaches {@code lsn}. */
  static void awaitFlushed(PostgresServer s, Lsn lsn) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String r = s.sql("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'");
      if (!r.isEmpty() && !Lsn.parse(r).isBefore(lsn)) {
        return;
      }
      assertThat(System.nanoTime())
          .as("slot klio reaching " + lsn + " (now " + r + ")")
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @ParameterizedTest
  @MethodSource("versions")
  void streamWhilePgbenchRunsThenRecoverAColdCopyFromTheArchive(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    pgbench(s, "-i", "-s", "2", "-q");
    try (PostgresServer copy = s.coldCopy();
        KlioFixture klio = new KlioFixture(tmp, conn(s), false, "")) {
      klio.startServer();
      klio.startSendWal();
      pgbench(s, "-T", "4", "-c", "2");
      s.sql("SELECT pg_switch_wal()");
      pgbench(s, "-T", "2", "-c", "2");
      // a bulk load: WAL in large messages, sent as zstd frames that the server stores as they are
      s.sql(
          "CREATE TABLE bulk AS SELECT g, repeat(md5(g::text), 10) AS pad"
              + " FROM generate_series(1, 150000) g");
      String bulk = s.sql("SELECT count(*) || '/' || sum(hashtext(pad)) FROM bulk");
      String rows = s.sql("SELECT count(*) FROM pgbench_history");
      String sum = s.sql("SELECT sum(abalance) FROM pgbench_accounts");
      Lsn end = Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));
      awaitFlushed(s, end);
      // segments are archived in the background, right after they complete
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String frames = "klio_wal_segments_from_client_frames_total\\{cluster=\"main\"\\} [1-9]";
      while (!java.util.regex.Pattern.compile(frames).matcher(klio.metrics()).find()
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(klio.metrics())
          .contains("klio_wal_streaming{cluster=\"main\"} 1")
          .containsPattern("klio_wal_segments_stored_total\\{cluster=\"main\"\\} [1-9]")
          .containsPattern(frames);
      s.stop(); // the primary is gone; everything it committed is in the archive

      copy.startRecovery(Map.of("restore_command", klio.restoreCommand()));
      copy.awaitRecoveryEnd(Duration.ofMinutes(3));
      assertThat(copy.sql("SELECT count(*) FROM pgbench_history")).isEqualTo(rows);
      assertThat(copy.sql("SELECT sum(abalance) FROM pgbench_accounts")).isEqualTo(sum);
      assertThat(copy.sql("SELECT count(*) || '/' || sum(hashtext(pad)) FROM bulk"))
          .isEqualTo(bulk);
      assertThat(Integer.parseInt(rows)).isPositive();
    }
  }
}
