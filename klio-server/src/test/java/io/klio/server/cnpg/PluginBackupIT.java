package io.klio.server.cnpg;

import static io.klio.server.cnpg.PluginTesting.assertCode;
import static io.klio.server.cnpg.PluginTesting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.klio.api.Lsn;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.client.KlioConnection;
import io.klio.cnpgi.backup.v1.BackupCapability;
import io.klio.cnpgi.backup.v1.BackupGrpc;
import io.klio.cnpgi.backup.v1.BackupRequest;
import io.klio.cnpgi.backup.v1.BackupResult;
import io.klio.cnpgi.identity.v1.GetPluginCapabilitiesRequest;
import io.klio.cnpgi.identity.v1.IdentityGrpc;
import io.klio.cnpgi.identity.v1.PluginCapability;
import io.klio.cnpgi.restorejob.v1.RestoreJobHooksCapabilitiesRequest;
import io.klio.cnpgi.restorejob.v1.RestoreJobHooksCapability;
import io.klio.cnpgi.restorejob.v1.RestoreJobHooksGrpc;
import io.klio.cnpgi.restorejob.v1.RestoreRequest;
import io.klio.cnpgi.restorejob.v1.RestoreResponse;
import io.klio.server.cli.Main;
import io.klio.server.config.ClientConfig;
import io.klio.server.wal.KlioFixture;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.process.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Backup and Restore hooks of {@code klio plugin serve} as CloudNativePG calls them over the
 * plugin's unix socket, with requests carrying only the fields of cnpg-i v0.5.0 (released
 * CloudNativePG 1.28 to 1.30): a base backup of a real PostgreSQL into a real Klio server, whose
 * result agrees with PostgreSQL and the catalog; then a recovery to a target time, CloudNativePG's
 * part played by the test (it appends the hook's restore_config and the target, creates
 * recovery.signal, starts PostgreSQL), which stops exactly at the target.
 */
class PluginBackupIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  @Test
  void backupAndRecoveryThroughThePluginSocket() throws Exception {
    PostgresServer db = pg.start(PostgresConfig.of(15).withWalSegmentSizeMb(1));
    try (KlioFixture klio = new KlioFixture(tmp, conn(db), false, "")) {
      klio.startServer();
      klio.startSendWal();
      awaitStreaming(db);
      db.sql("CREATE TABLE t AS SELECT g, md5(g::text) AS m FROM generate_series(1, 5000) g");
      db.sql("CREATE TABLE m (phase text)");
      Path config = pluginConfig(klio, "plugin.yaml", db.dataDirectory());
      Path socket = Files.createDirectories(tmp.resolve("plugins")).resolve(PluginServer.NAME);
      try (ChildJvm plugin = startPlugin(config, socket)) {
        ManagedChannel channel =
            Grpc.newChannelBuilder("unix://" + socket, InsecureChannelCredentials.create()).build();
        try {
          assertThat(
                  IdentityGrpc.newBlockingStub(channel)
                      .withWaitForReady()
                      .getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance())
                      .getCapabilitiesList())
              .extracting(c -> c.getService().getType())
              .containsExactlyInAnyOrder(
                  PluginCapability.Service.Type.TYPE_WAL_SERVICE,
                  PluginCapability.Service.Type.TYPE_BACKUP_SERVICE,
                  PluginCapability.Service.Type.TYPE_RESTORE_JOB);
          BackupGrpc.BackupBlockingStub backups = BackupGrpc.newBlockingStub(channel);
          assertThat(
                  backups
                      .getCapabilities(
                          io.klio.cnpgi.backup.v1.BackupCapabilitiesRequest.getDefaultInstance())
                      .getCapabilitiesList())
              .extracting(c -> c.getRpc().getType())
              .containsExactly(BackupCapability.RPC.Type.TYPE_BACKUP);
          RestoreJobHooksGrpc.RestoreJobHooksBlockingStub restores =
              RestoreJobHooksGrpc.newBlockingStub(channel);
          assertThat(
                  restores
                      .getCapabilities(RestoreJobHooksCapabilitiesRequest.getDefaultInstance())
                      .getCapabilitiesList())
              .extracting(RestoreJobHooksCapability::getKind)
              .containsExactly(RestoreJobHooksCapability.Kind.KIND_RESTORE);

          // a parameter the hook does not know: refused, naming it, before anything is done
          assertThatThrownBy(() -> backups.backup(backupRequest(Map.of("compression", "gzip"))))
              .satisfies(e -> assertCode(e, Status.Code.INVALID_ARGUMENT))
              .hasMessageContaining("'compression'")
              .hasMessageContaining("jobs, label");

          Lsn before = Lsn.parse(db.sql("SELECT pg_current_wal_lsn()"));
          long calledAt = Instant.now().getEpochSecond();
          BackupResult r =
              backups.withDeadlineAfter(120, TimeUnit.SECONDS).backup(backupRequest(Map.of()));
          long returnedAt = Instant.now().getEpochSecond();
          Lsn after = Lsn.parse(db.sql("SELECT pg_current_wal_lsn()"));
          checkResult(r, db, before, after, calledAt, returnedAt);
          try (KlioConnection c = KlioConnection.open(ClientConfig.load(config).client())) {
            BackupSummary s = c.backups().get(r.getBackupId());
            assertThat(s.getLabel()).isEqualTo("backup-1");
            assertThat(Lsn.of(s.getEndLsn()).toString()).isEqualTo(r.getEndLsn());
            assertThat(s.getBackupLabel()).isEqualTo(r.getBackupLabelFile());
          }
          assertThat(Main.run("backup", "verify", "--config", config.toString(), r.getBackupId()))
              .as("klio backup verify " + r.getBackupId())
              .isZero();

          // after the backup: a commit, the target time, a commit that recovery must not replay
          db.sql("INSERT INTO m VALUES ('a')");
          String target = db.sql("SELECT clock_timestamp()");
          db.sql("INSERT INTO m VALUES ('b')");
          Lsn end = Lsn.parse(db.sql("SELECT pg_current_wal_lsn()"));
          db.sql("SELECT pg_switch_wal()");
          awaitArchived(db, end);

          recover(klio, db, target);
        } finally {
          channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /**
   * The recovery of a new instance through its own plugin (its configuration's backup.pgdata is the
   * new data directory), to {@code target}.
   */
  private void recover(KlioFixture klio, PostgresServer db, String target) throws Exception {
    PostgresServer restored = pg.adopt(db.restoreTarget());
    Path pgdata = restored.dataDirectory();
    Path config = pluginConfig(klio, "restore.yaml", pgdata);
    Path socket = Files.createDirectories(tmp.resolve("plugins-new")).resolve(PluginServer.NAME);
    try (ChildJvm plugin = startPlugin(config, socket)) {
      ManagedChannel channel =
          Grpc.newChannelBuilder("unix://" + socket, InsecureChannelCredentials.create()).build();
      try {
        RestoreJobHooksGrpc.RestoreJobHooksBlockingStub restores =
            RestoreJobHooksGrpc.newBlockingStub(channel).withWaitForReady();
        // a backup id the catalog does not hold: NOT_FOUND, naming it, nothing written
        assertThatThrownBy(
                () -> restores.restore(restoreRequest("{\"backupID\":\"no-such-backup\"}")))
            .satisfies(e -> assertCode(e, Status.Code.NOT_FOUND))
            .hasMessageContaining("no-such-backup")
            .hasMessageContaining("recoveryTarget.backupID");
        assertThat(pgdata).doesNotExist();

        RestoreResponse answer =
            restores
                .withDeadlineAfter(120, TimeUnit.SECONDS)
                .restore(restoreRequest("{\"targetTime\":\"" + target + "\"}"));
        assertThat(answer.getRestoreConfig())
            .isEqualTo(
                "recovery_target_action = promote\nrestore_command = '/controller/manager"
                    + " wal-restore --log-destination /controller/log/postgres.json %f %p'\n");
        assertThat(answer.getEnvsList()).isEmpty();
        // the files as restored, before CloudNativePG touches them: PostgreSQL's own verifier
        // agrees with Klio's; no recovery settings of Klio's own
        assertThat(pgdata.resolve("backup_label")).exists();
        assertThat(pgdata.resolve("recovery.signal")).doesNotExist();
        assertThat(Files.readString(pgdata.resolve("postgresql.auto.conf")))
            .doesNotContain("restore_command")
            .doesNotContain("recovery_target");
        assertThat(pgVerifyBackup(restored)).isZero();

        // CloudNativePG's part, with get-wal instead of its wal-restore (which calls the same
        // archive through this plugin's WAL service)
        Files.writeString(
            pgdata.resolve("postgresql.conf"),
            answer
                    .getRestoreConfig()
                    .replace(
                        "'/controller/manager wal-restore --log-destination"
                            + " /controller/log/postgres.json %f %p'",
                        klio.restoreCommand())
                + "recovery_target_time = '"
                + target
                + "'\n",
            StandardOpenOption.APPEND);
        Files.createFile(pgdata.resolve("recovery.signal"));
        try {
          restored.startRestored();
        } catch (IllegalStateException e) {
          throw new AssertionError(
              "PostgreSQL did not start on the restored directory: "
                  + Files.readString(restored.logFile()),
              e);
        }
        restored.awaitRecoveryEnd(Duration.ofSeconds(60));
        assertThat(restored.sql("SELECT string_agg(phase, '' ORDER BY phase) FROM m"))
            .isEqualTo("a");
        assertThat(restored.sql("SELECT count(*) FROM t")).isEqualTo("5000");
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  private Path pluginConfig(KlioFixture klio, String name, Path pgdata) throws IOException {
    Path config = tmp.resolve(name);
    Files.writeString(
        config,
        Files.readString(klio.clientConfig()) + "backup:\n  pgdata: " + pgdata + "\n  jobs: 2\n");
    return config;
  }

  private static ChildJvm startPlugin(Path config, Path socket) throws Exception {
    ChildJvm plugin =
        ChildJvm.start(
            Main.class,
            384,
            "plugin",
            "serve",
            "--config",
            config.toString(),
            "--socket",
            socket.toString());
    await("the plugin's socket", () -> Files.exists(socket), plugin);
    return plugin;
  }

  /** What PostgreSQL says about the backup agrees with the result CloudNativePG records. */
  private static void checkResult(
      BackupResult r, PostgresServer db, Lsn before, Lsn after, long calledAt, long returnedAt) {
    assertThat(r.getBackupId()).isNotEmpty();
    assertThat(r.getBackupName()).isEqualTo("backup-1");
    assertThat(r.getOnline()).isTrue();
    // backup_label is pg_backup_stop's labelfile: its first line holds the begin LSN and WAL file
    String label = r.getBackupLabelFile().toStringUtf8();
    assertThat(label)
        .startsWith("START WAL LOCATION: " + r.getBeginLsn() + " (file " + r.getBeginWal() + ")\n");
    Lsn begin = Lsn.parse(r.getBeginLsn());
    Lsn end = Lsn.parse(r.getEndLsn());
    assertThat(begin).isGreaterThanOrEqualTo(before);
    assertThat(end).isGreaterThan(begin).isLessThanOrEqualTo(after);
    assertThat(r.getEndWal()).isEqualTo(db.sql("SELECT pg_walfile_name('" + end + "')"));
    assertThat(r.getStartedAt()).isBetween(calledAt, returnedAt);
    assertThat(r.getStoppedAt()).isBetween(r.getStartedAt(), returnedAt);
    assertThat(r.getMetadataMap())
        .containsEntry("pluginName", "klio.cloudnative-pg.io")
        .containsEntry("clusterName", "pg")
        .containsEntry("clusterUID", "4f2c6c3e-uid")
        .containsEntry("klioCluster", "main")
        .containsEntry("timeline", "1")
        .containsKey("pluginVersion");
  }

  private static final String CLUSTER =
      "{\"apiVersion\":\"postgresql.cnpg.io/v1\",\"kind\":\"Cluster\",\"metadata\":{\"name\":"
          + "\"pg\",\"namespace\":\"default\",\"uid\":\"4f2c6c3e-uid\"},\"spec\":{\"instances\":1";

  private static BackupRequest backupRequest(Map<String, String> parameters) {
    return BackupRequest.newBuilder()
        .setClusterDefinition(ByteString.copyFromUtf8(CLUSTER + "}}"))
        .setBackupDefinition(
            ByteString.copyFromUtf8(
                "{\"kind\":\"Backup\",\"metadata\":{\"name\":\"backup-1\"},\"spec\":{\"cluster\":"
                    + "{\"name\":\"pg\"},\"method\":\"plugin\"}}"))
        .putAllParameters(parameters)
        .build();
  }

  /** A RestoreRequest as cnpg-i v0.5.0 encodes it: only cluster_definition (no field 2). */
  private static RestoreRequest restoreRequest(String recoveryTarget) throws IOException {
    String cluster =
        CLUSTER
            + ",\"bootstrap\":{\"recovery\":{\"source\":\"origin\",\"recoveryTarget\":"
            + recoveryTarget
            + "}}}}";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeBytes(1, ByteString.copyFromUtf8(cluster));
    out.flush();
    RestoreRequest r = RestoreRequest.parseFrom(bytes.toByteArray());
    assertThat(r.hasCheckEmptyWalArchive()).isFalse();
    return r;
  }

  private static int pgVerifyBackup(PostgresServer s) throws Exception {
    Process p =
        new ProcessBuilder(
                s.binDirectory().resolve("pg_verifybackup").toString(),
                "--no-parse-wal",
                s.dataDirectory().toString())
            .inheritIO()
            .start();
    return p.waitFor();
  }

  private static String conn(PostgresServer s) {
    return "host=127.0.0.1 port="
        + s.port()
        + " user=postgres password="
        + s.password()
        + " dbname=postgres";
  }

  private static void awaitStreaming(PostgresServer s) throws InterruptedException {
    await(
        "send-wal streaming",
        () -> "t".equals(s.sql("SELECT active FROM pg_replication_slots WHERE slot_name = 'klio'")),
        null);
  }

  /** Until the archive holds {@code s}'s WAL up to {@code lsn} (slot klio's restart LSN). */
  private static void awaitArchived(PostgresServer s, Lsn lsn) throws InterruptedException {
    await(
        "WAL archived up to " + lsn,
        () -> {
          String r = s.sql("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'");
          return !r.isEmpty() && !Lsn.parse(r).isBefore(lsn);
        },
        null);
  }
}
