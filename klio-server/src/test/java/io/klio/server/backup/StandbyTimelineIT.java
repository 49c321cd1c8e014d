package io.klio.server.backup;

import static io.klio.server.backup.BackupFixtures.awaitArchived;
import static io.klio.server.backup.BackupFixtures.awaitReplay;
import static io.klio.server.backup.BackupFixtures.clientYaml;
import static io.klio.server.backup.BackupFixtures.connect;
import static io.klio.server.backup.BackupFixtures.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.backup.BackupLabel;
import io.klio.backup.BackupProgress;
import io.klio.client.BackupListener;
import io.klio.client.KlioConnection;
import io.klio.server.cli.Main;
import io.klio.server.wal.KlioFixture;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.testkit.process.ChildJvm;
import io.klio.walstream.PostgresException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup on a standby whose timeline changes while it reads the files. Promoted itself, the
 * standby cannot end the backup (PostgreSQL refuses: its files mix two histories), and the backup
 * fails with PostgreSQL's reason and never shows in the catalog. A cascading standby whose upstream
 * is promoted follows it to timeline 2: its backup completes, records timeline 1 (the one in force
 * at its start) as its start and timeline 2 as its end, and restores across the switch.
 */
class StandbyTimelineIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  /** Runs {@code step} once, at the first progress report: while the backup reads the files. */
  private static BackupListener onFirstProgress(
      ThrowingRunnable step, AtomicReference<Throwable> e) {
    return new BackupListener() {
      private boolean done;

      @Override
      public void progress(BackupProgress p) {
        if (done) {
          return;
        }
        done = true;
        try {
          step.run();
        } catch (Exception | AssertionError failure) {
          e.set(failure);
        }
      }
    };
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void aStandbyPromotedDuringItsBackupFailsWithPostgresqlsReason() throws Exception {
    PostgresServer primary = pg.start(PostgresConfig.of(PostgresVersions.enabled().get(0)));
    primary.sql("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10000) g");
    PostgresServer standby = pg.adopt(primary.createStandby());
    try (KlioFixture klio = new KlioFixture(tmp, BackupFixtures.conn(primary), false, "")) {
      klio.startServer();
      klio.startSendWal();
      BackupFixtures.awaitStreaming(primary);
      awaitReplay(standby, Lsn.parse(primary.sql("CHECKPOINT; SELECT pg_current_wal_lsn()")));
      Path cfg = clientYaml(klio, "standby.yaml", standby, "60s");
      AtomicReference<Throwable> failed = new AtomicReference<>();
      try (KlioConnection c = connect(cfg)) {
        assertThatThrownBy(
                () -> c.backups().backup(options(cfg), onFirstProgress(standby::promote, failed)))
            .isInstanceOf(PostgresException.class)
            .hasMessageContaining("the standby was promoted during online backup");
        assertThat(failed.get()).isNull();
        BackupFixtures.awaitMetric(
            klio, "klio_backups_aborted_total", 1, false, Duration.ofSeconds(30));
        assertThat(c.backups().list()).isEmpty();
      }
    }
  }

  @Test
  void aCascadingStandbyFollowingAPromotionKeepsItsStartTimelineAndRestores() throws Exception {
    PostgresServer primary = pg.start(PostgresConfig.of(PostgresVersions.enabled().get(0)));
    primary.sql("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10000) g");
    PostgresServer upstream = pg.adopt(primary.createStandby());
    PostgresServer standby = pg.adopt(upstream.createStandby());
    try (KlioFixture klio = new KlioFixture(tmp, BackupFixtures.conn(primary), false, "")) {
      klio.startServer();
      klio.startSendWal();
      BackupFixtures.awaitStreaming(primary);
      Lsn checkpoint = Lsn.parse(primary.sql("CHECKPOINT; SELECT pg_current_wal_lsn()"));
      awaitReplay(upstream, checkpoint);
      awaitReplay(standby, checkpoint);
      Path cfg = clientYaml(klio, "standby.yaml", standby, "60s");
      Path upstreamYaml = tmp.resolve("upstream.yaml");
      Files.writeString(
          upstreamYaml,
          Files.readString(klio.clientConfig())
              .replace(BackupFixtures.conn(primary), BackupFixtures.conn(upstream)));
      AtomicReference<ChildJvm> sender = new AtomicReference<>();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      // the failover, while the standby's backup reads its files: the primary stops (its WAL in
      // the archive), its standby is promoted to timeline 2 and streams to Klio, and the cascading
      // standby follows; a restartpoint there puts its minimum recovery point, where its backup
      // will end, on timeline 2
      ThrowingRunnable failover =
          () -> {
            awaitArchived(primary, Lsn.parse(primary.sql("SELECT pg_current_wal_lsn()")));
            primary.stop();
            klio.killSendWal();
            upstream.promote();
            sender.set(
                ChildJvm.start(Main.class, 256, "send-wal", "--config", upstreamYaml.toString()));
            Lsn after =
                Lsn.parse(
                    upstream.sql(
                        "CREATE TABLE after_promotion AS SELECT 1 AS x; CHECKPOINT;"
                            + " SELECT pg_current_wal_lsn()"));
            awaitReplay(standby, after);
            standby.sql("CHECKPOINT");
            assertThat(standby.sql("SELECT min_recovery_end_timeline FROM pg_control_recovery()"))
                .isEqualTo("2");
          };
      try (KlioConnection c = connect(cfg)) {
        BackupSummary b =
            c.backups().backup(options(cfg), onFirstProgress(failover, failed)).summary();
        assertThat(failed.get()).isNull();
        BackupLabel label = BackupLabel.parse(b.getBackupLabel().toByteArray());
        assertThat(b.getFromStandby()).isTrue();
        assertThat(label.startTimeline()).isEqualTo(TimelineId.of(1));
        assertThat(b.getStartTimeline()).as("the timeline at the backup's start").isEqualTo(1);
        assertThat(b.getEndTimeline()).as("the timeline of its end LSN").isEqualTo(2);
        assertThat(b.getBeginWal()).startsWith("00000001").isEqualTo(label.startWalFile());
        assertThat(b.getEndWal()).startsWith("00000002");
        assertThat(c.backups().list())
            .extracting(BackupSummary::getBackupId)
            .containsExactly(b.getBackupId());
        assertThat(c.backups().verify(b.getBackupId(), p -> {}).ok()).isTrue();

        PostgresServer restored = pg.adopt(standby.restoreTarget());
        assertThat(BackupFixtures.restore(cfg, restored.dataDirectory(), "--jobs", "2"))
            .startsWith("0\n");
        restored.startRestored();
        restored.awaitRecoveryEnd(Duration.ofMinutes(3));
        assertThat(restored.sql("SELECT count(*) FROM t")).isEqualTo("10000");
        assertThat(restored.sql("SELECT x FROM after_promotion")).isEqualTo("1");
      } finally {
        if (sender.get() != null) {
          sender.get().close();
        }
      }
    }
  }
}
