package io.klio.server.backup;

import static io.klio.server.backup.BackupFixtures.awaitReplay;
import static io.klio.server.backup.BackupFixtures.cli;
import static io.klio.server.backup.BackupFixtures.clientYaml;
import static io.klio.server.backup.BackupFixtures.connect;
import static io.klio.server.backup.BackupFixtures.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.FileKind;
import io.klio.backup.BackupLabel;
import io.klio.client.BackupClient;
import io.klio.client.BackupListener;
import io.klio.client.BackupOutcome;
import io.klio.client.KlioConnection;
import io.klio.client.VerifyOutcome;
import io.klio.server.wal.KlioFixture;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code klio backup} against real PostgreSQL and a real server over mutual TLS: backups of a
 * primary while send-wal streams (under writes, then idle, then barely changed), the catalog
 * commands, a backup whose WAL never arrives, and a backup on a streaming standby.
 */
class BackupIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  private static final WalSegmentSize SEG = WalSegmentSize.DEFAULT;

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  private static int newest() {
    return versions().get(versions().size() - 1);
  }

  @ParameterizedTest
  @MethodSource("versions")
  void backupsOfAPrimaryCommitListVerifyAndDeduplicate(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    // about 50 MB, frozen and checkpointed so that the next backups see only the rows changed
    s.sql(
        "CREATE TABLE t AS SELECT g AS id, md5(g::text) || repeat('x', 200) AS v"
            + " FROM generate_series(1, 200000) g; ALTER TABLE t ADD PRIMARY KEY (id);"
            + " CREATE TABLE w (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
    s.sql("VACUUM (FREEZE, ANALYZE) t");
    s.sql("CHECKPOINT");
    boolean encrypted = major == newest();
    try (KlioFixture klio =
        new KlioFixture(
            tmp,
            BackupFixtures.conn(s),
            false,
            encrypted ? BackupFixtures.encryptedTier1(tmp) : "")) {
      klio.startServer();
      klio.startSendWal();
      BackupFixtures.awaitStreaming(s);
      Path cfg = clientYaml(klio, "backup.yaml", s, null);
      try (KlioConnection c = connect(cfg)) {
        BackupClient backups = c.backups();

        // 1. under writes
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    s.sql("INSERT INTO w DEFAULT VALUES");
                  }
                },
                "writer");
        writer.start();
        List<String> waited = new ArrayList<>();
        BackupOutcome first;
        try {
          first = backups.backup(options(cfg), recording(waited));
        } finally {
          stop.set(true);
          writer.join();
        }
        BackupSummary b1 = first.summary();
        TreeMap<String, FileEntry> manifest = BackupFixtures.manifest(klio, b1.getBackupId());
        checkSummary(s, b1, manifest);
        assertThat(first.sentBytes()).isPositive();
        assertThat(b1.getNewBytes()).isGreaterThan(40L << 20);

        // the file list is the walker's, as the data directory is now (idle: nothing came or went)
        assertThat(BackupFixtures.paths(manifest))
            .isEqualTo(BackupFixtures.walk(s.dataDirectory()));

        // 2. the catalog, through the command line
        assertThat(cli("backup", "list", "--config", cfg.toString(), "--output", "json"))
            .startsWith("0\n[{\"backup_id\":\"" + b1.getBackupId() + "\"");
        assertThat(cli("backup", "show", b1.getBackupId(), "--config", cfg.toString()))
            .startsWith("0\n")
            .contains("end_lsn              " + Lsn.of(b1.getEndLsn()));
        VerifyOutcome v = backups.verify(b1.getBackupId(), p -> {});
        assertThat(v.ok()).as(v.findings().toString()).isTrue();
        assertThat(v.filesChecked()).isEqualTo(b1.getFileCount());
        assertThat(v.bytesChecked()).isEqualTo(b1.getDataBytes());
        assertThat(cli("backup", "verify", b1.getBackupId(), "--config", cfg.toString()))
            .startsWith("0\n")
            .contains("every chunk verified");
        assertThat(cli("backup", "delete", b1.getBackupId(), "--config", cfg.toString()))
            .startsWith("1\n")
            .contains("the only backup");
        assertThat(cli("backup", "show", "20000101T000000Z", "--config", cfg.toString()))
            .startsWith("1\n")
            .contains("has no backup 20000101T000000Z");

        // 3. a few rows changed: a small fraction of the first backup's bytes
        s.sql("UPDATE t SET v = 'changed' WHERE id IN (7, 100007, 190007)");
        String json = cli("backup", "--config", cfg.toString(), "--output", "json");
        assertThat(json).startsWith("0\n{\"backup_id\":");
        BackupSummary b2 = backups.list().get(1);
        assertThat(json)
            .contains("\"backup_id\":\"" + b2.getBackupId() + "\"")
            .contains("\"sent_bytes\":")
            .contains("\"elapsed_seconds\":")
            .contains("\"begin_wal\":\"" + b2.getBeginWal() + "\"")
            .contains("\"timeline\":1");
        assertThat(b2.getNewBytes())
            .as("new bytes of the second backup vs the first's " + b1.getNewBytes())
            .isLessThanOrEqualTo(b1.getNewBytes() / 10);
        assertThat(b2.getDataBytes()).isGreaterThan(b1.getNewBytes());

        // now backup 1 is not the only restorable one
        assertThat(backups.delete(b1.getBackupId(), false).getBackupId())
            .isEqualTo(b1.getBackupId());

        // 4. an idle primary: the end segment still arrives
        waited.clear();
        BackupSummary b3 = backups.backup(options(cfg), recording(waited)).summary();
        checkSummary(s, b3, BackupFixtures.manifest(klio, b3.getBackupId()));

        // 5. send-wal stopped: the backup cannot become restorable, fails naming the segment
        klio.killSendWal();
        Path shortWait = clientYaml(klio, "short.yaml", s, "3s");
        assertThatThrownBy(() -> backups.backup(options(shortWait), BackupListener.NONE))
            .isInstanceOf(PermanentException.class)
            .hasMessageContaining("still lacks 0000000100000000")
            .hasMessageContaining("Not committed");
        assertThat(backups.list())
            .extracting(BackupSummary::getBackupId)
            .containsExactly(b2.getBackupId(), b3.getBackupId());
        // forced, the only other backup goes too
        assertThat(backups.delete(b2.getBackupId(), true).getBackupId())
            .isEqualTo(b2.getBackupId());
      }
    }
  }

  @Test
  void aBackupOfAStandbyCompletesOnItsTimeline() throws Exception {
    PostgresServer primary = pg.start(PostgresConfig.of(versions().get(0)));
    primary.sql("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10000) g");
    PostgresServer standby = pg.adopt(primary.createStandby());
    try (KlioFixture klio = new KlioFixture(tmp, BackupFixtures.conn(primary), false, "")) {
      klio.startServer();
      klio.startSendWal();
      // the standby's next restartpoint must lie after where send-wal began streaming
      BackupFixtures.awaitStreaming(primary);
      String checkpoint = primary.sql("CHECKPOINT; SELECT pg_current_wal_lsn()");
      awaitReplay(standby, Lsn.parse(checkpoint));
      Path cfg = clientYaml(klio, "standby.yaml", standby, "60s");
      try (KlioConnection c = connect(cfg)) {
        BackupOutcome o = c.backups().backup(options(cfg), BackupListener.NONE);
        BackupSummary b = o.summary();
        assertThat(b.getFromStandby()).isTrue();
        BackupLabel label = BackupLabel.parse(b.getBackupLabel().toByteArray());
        assertThat(label.backupFrom()).isEqualTo(BackupLabel.BackupFrom.STANDBY);
        assertThat(b.getStartTimeline()).isEqualTo(1);
        assertThat(b.getEndTimeline()).isEqualTo(1);
        assertThat(b.getStartLsn()).isEqualTo(label.startLsn().value());
        assertThat(Lsn.of(b.getStartLsn())).isGreaterThanOrEqualTo(Lsn.INVALID);
        assertThat(c.backups().list())
            .extracting(BackupSummary::getBackupId)
            .containsExactly(b.getBackupId());
        assertThat(c.backups().verify(b.getBackupId(), p -> {}).ok()).isTrue();
      }
    }
  }

  private static void checkSummary(
      PostgresServer s, BackupSummary b, TreeMap<String, FileEntry> manifest) {
    BackupLabel label = BackupLabel.parse(b.getBackupLabel().toByteArray());
    assertThat(label.backupFrom()).isEqualTo(BackupLabel.BackupFrom.PRIMARY);
    assertThat(b.getFromStandby()).isFalse();
    assertThat(label.label()).contains("klio test");
    assertThat(b.getStartLsn()).isEqualTo(label.startLsn().value());
    assertThat(b.getCheckpointLsn()).isEqualTo(label.checkpointLsn().value());
    assertThat(b.getStartTimeline()).isEqualTo(1);
    assertThat(b.getEndTimeline()).isEqualTo(1);
    assertThat(Lsn.of(b.getEndLsn())).isGreaterThan(Lsn.of(b.getStartLsn()));
    assertThat(Lsn.parse(s.sql("SELECT pg_current_wal_lsn()")))
        .isGreaterThanOrEqualTo(Lsn.of(b.getEndLsn()));
    assertThat(b.getBeginWal())
        .isEqualTo(label.startWalFile())
        .isEqualTo(
            WalFileName.Segment.containing(TimelineId.of(1), Lsn.of(b.getStartLsn()), SEG)
                .toString());
    assertThat(b.getEndWal())
        .isEqualTo(
            WalFileName.Segment.containing(TimelineId.of(1), Lsn.of(b.getEndLsn()), SEG)
                .toString());
    assertThat(b.getSystemIdentifier())
        .isEqualTo(Long.parseLong(s.sql("SELECT system_identifier FROM pg_control_system()")));
    assertThat(b.getServerVersionNum() / 10000).isEqualTo(s.major());
    assertThat(b.getStopTimeMs()).isGreaterThanOrEqualTo(b.getStartTimeMs());
    assertThat(manifest.values().stream().filter(e -> e.getKind() == FileKind.FILE_KIND_FILE))
        .hasSize((int) b.getFileCount());
    assertThat(manifest.values().stream().mapToLong(FileEntry::getSize).sum())
        .isEqualTo(b.getDataBytes());
    assertThat(manifest).containsKey("global/pg_control").doesNotContainKey("postmaster.pid");
  }

  private static BackupListener recording(List<String> waited) {
    return new BackupListener() {
      @Override
      public synchronized void waitingForWal(String missingSegment, Optional<Lsn> durable) {
        waited.add(missingSegment);
      }
    };
  }
}
