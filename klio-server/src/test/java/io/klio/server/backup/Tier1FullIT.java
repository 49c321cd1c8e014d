package io.klio.server.backup;

import static io.klio.server.backup.BackupFixtures.awaitMetric;
import static io.klio.server.backup.BackupFixtures.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.server.wal.KlioFixture;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier 1 on a small volume (a tmpfs of its own) with Tier 2 unreachable, so that nothing can leave
 * it: the server warns (metric) while Tier 1 still has room; once it is full it acknowledges no WAL
 * it could not store (the replication slot stays behind, PostgreSQL keeps the WAL); when the volume
 * grows, the server catches up by itself and the archive holds every segment, without a gap.
 */
class Tier1FullIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  private static boolean run(String... command) throws Exception {
    return new ProcessBuilder(command).inheritIO().start().waitFor() == 0;
  }

  @Test
  void aFullTier1AcknowledgesOnlyWhatItStoredAndCatchesUpWhenItGrows() throws Exception {
    Path dir = tmp.resolve("klio");
    Path tier1 = dir.resolve("tier1");
    Files.createDirectories(tier1);
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", tier1.toString()),
        "needs to mount a tmpfs (root)");
    try {
      Path creds = tmp.resolve("s3-credentials");
      Files.writeString(creds, "aws_access_key_id = a\naws_secret_access_key = b\n");
      String tier2 =
          "tier2:\n  uri: \"s3://nowhere/x?region=us-east-1&pathStyle=true&endpoint=http://127.0.0.1:"
              + KlioFixture.freePort() // nothing listens there
              + "&credentialsFile="
              + creds
              + "\"\n  tier1UsageWarning: 50";
      PostgresServer s = pg.start(PostgresConfig.of(15));
      s.sql("CREATE TABLE t (g int, m text)");
      try (KlioFixture klio = new KlioFixture(dir, BackupFixtures.conn(s), false, tier2)) {
        klio.startServer();
        klio.startSendWal();
        BackupFixtures.awaitStreaming(s);
        Lsn first = Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));

        // filling up: the warning comes while Tier 1 still has room
        int batch = 0;
        while (true) {
          Lsn lsn = writeWal(s, batch++);
          BackupFixtures.awaitArchived(s, lsn);
          int used = usedPercent(tier1);
          awaitMetric(klio, "klio_tier1_usage_percent", used, false, Duration.ofSeconds(10));
          if (used >= 50) {
            assertThat(metric(klio, "klio_tier1_usage_warning")).isEqualTo(1);
            assertThat(used).as("Tier 1 usage when the warning came").isLessThan(90);
            break;
          }
          assertThat(metric(klio, "klio_tier1_usage_warning")).as("below 50%").isZero();
          assertThat(batch).as("batches before Tier 1 reached 50%").isLessThan(40);
        }
        assertThat(metric(klio, "klio_relay_objects_waiting")).isPositive();

        // full: far more WAL than the volume holds
        Lsn end = null;
        for (int i = 0; i < 12; i++) {
          end = writeWal(s, batch++);
        }
        awaitFull(tier1);
        Lsn acked =
            Lsn.parse(
                s.sql("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'"));
        assertThat(acked).as("acknowledged while Tier 1 is full").isLessThan(end);
        Lsn durable = Lsn.of((long) metric(klio, "klio_wal_durable_lsn_bytes"));
        assertThat(acked)
            .as("acknowledged, against what the server holds")
            .isLessThanOrEqualTo(durable);

        // room again: the server catches up on its own
        assertThat(run("mount", "-o", "remount,size=1g", tier1.toString())).isTrue();
        BackupFixtures.awaitArchived(s, end);
        WalSegmentSize size = WalSegmentSize.DEFAULT;
        List<String> stored = segments(tier1);
        String from =
            WalFileName.Segment.of(TimelineId.of(1), first.segmentNumber(size), size).toString();
        String to =
            WalFileName.Segment.of(TimelineId.of(1), end.segmentNumber(size) - 1, size).toString();
        List<String> expected = new ArrayList<>();
        for (long n = first.segmentNumber(size); n < end.segmentNumber(size); n++) {
          expected.add(WalFileName.Segment.of(TimelineId.of(1), n, size).toString());
        }
        assertThat(stored).as("segments " + from + " to " + to).containsAll(expected);
      }
    } finally {
      run("umount", "-l", tier1.toString());
    }
  }

  /** About 12 MB of WAL, then a switch; returns the position after it. */
  private static Lsn writeWal(PostgresServer s, int batch) {
    s.sql(
        "INSERT INTO t SELECT g, md5((g + "
            + batch
            + ")::text) || md5(g::text) FROM generate_series(1, 100000) g");
    s.sql("SELECT pg_switch_wal()");
    return Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));
  }

  private static int usedPercent(Path dir) throws Exception {
    var fs = Files.getFileStore(dir);
    return (int) (100 - fs.getUsableSpace() * 100 / fs.getTotalSpace());
  }

  private static void awaitFull(Path dir) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (Files.getFileStore(dir).getUsableSpace() > (2 << 20)) {
      assertThat(System.nanoTime()).as("Tier 1 filling up").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static List<String> segments(Path tier1) throws Exception {
    Path wal = tier1.resolve("clusters").resolve(KlioFixture.CLUSTER).resolve("wal");
    try (Stream<Path> files = Files.walk(wal)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.length() == 24)
          .sorted()
          .toList();
    }
  }
}
