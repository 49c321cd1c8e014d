package io.klio.server.backup;

import static io.klio.server.backup.BackupFixtures.clientYaml;
import static io.klio.server.backup.BackupFixtures.metric;
import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.grpc.v1.BackupSummary;
import io.klio.client.BackupListener;
import io.klio.client.KlioConnection;
import io.klio.server.wal.KlioFixture;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./klio backup} killed with SIGKILL in the middle of its upload: the catalog never lists
 * the backup, the server discards it, and the next backup succeeds reusing the chunks it stored.
 */
class BackupKillIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static final Path LAUNCHER = Path.of("..", "klio").toAbsolutePath().normalize();

  @TempDir Path tmp;

  @Test
  void aKilledBackupNeverShowsAndItsChunksAreReused() throws Exception {
    List<Integer> versions = PostgresVersions.enabled();
    PostgresServer s = pg.start(PostgresConfig.of(versions.get(versions.size() - 1)));
    // about 80 MB that compresses little, so that the upload takes a while
    s.sql(
        "CREATE TABLE t AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text)"
            + " AS v FROM generate_series(1, 600000) g");
    s.sql("CHECKPOINT");
    try (KlioFixture klio = new KlioFixture(tmp, BackupFixtures.conn(s), false, "")) {
      klio.startServer();
      klio.startSendWal();
      Path cfg = clientYaml(klio, "backup.yaml", s, null);
      Files.writeString(cfg, Files.readString(cfg).replace("  jobs: 2\n", "  jobs: 1\n"));

      ProcessBuilder b =
          new ProcessBuilder(LAUNCHER.toString(), "backup", "--config", cfg.toString())
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("backup.log").toFile());
      Process p = b.start();
      // mid-upload: some chunks are in, and the backup is still running
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (metric(klio, "klio_backup_chunk_bytes_received_total") < (8 << 20)) {
        assertThat(p.isAlive())
            .as("klio backup runs (" + Files.readString(tmp.resolve("backup.log")) + ")")
            .isTrue();
        assertThat(System.nanoTime()).as("chunks arriving").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(metric(klio, "klio_backups_running")).isEqualTo(1);
      p.destroyForcibly(); // SIGKILL
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("killed, not finished").isEqualTo(137);
      double received = metric(klio, "klio_backup_chunks_received_total");

      // the server discards it once its calls break
      BackupFixtures.awaitMetric(klio, "klio_backups_running", 0, true, Duration.ofSeconds(30));
      assertThat(metric(klio, "klio_backups_aborted_total")).isEqualTo(1);
      try (KlioConnection c = BackupFixtures.connect(cfg)) {
        assertThat(c.backups().list()).isEmpty();
        BackupSummary next =
            c.backups().backup(BackupFixtures.options(cfg), BackupListener.NONE).summary();
        assertThat(c.backups().list())
            .extracting(BackupSummary::getBackupId)
            .containsExactly(next.getBackupId());
        assertThat(next.getChunkCount() - next.getNewChunks())
            .as("chunks the killed backup stored are known to the next one")
            .isGreaterThanOrEqualTo((long) (received * 0.95));
        assertThat(c.backups().verify(next.getBackupId(), v -> {}).ok()).isTrue();
      }
    }
  }
}
