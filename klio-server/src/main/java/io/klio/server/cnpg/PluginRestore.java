package io.klio.server.cnpg;

import io.grpc.StatusException;
import io.klio.api.Lsn;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.backup.recovery.RecoveryTarget;
import io.klio.backup.recovery.TargetTimeline;
import io.klio.client.RestoreClient;
import io.klio.client.RestoreReport;
import io.klio.client.RestoreRequest;
import io.klio.cnpgi.restorejob.v1.RestoreResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Restore hook's work: {@code klio restore} into this instance's (empty) data directory, the
 * same library call ({@link RestoreClient#restore}) in this process. It chooses the backup from the
 * Cluster's {@code spec.bootstrap.recovery.recoveryTarget}: its {@code backupID}, else the newest
 * backup that ends before {@code targetTime}, else before {@code targetLSN}, else the latest, each
 * on {@code targetTLI} (latest when absent); checks that the archive serves the backup's first WAL
 * file before writing anything; writes the files in parallel, {@code backup_label}, {@code
 * tablespace_map} and {@code backup_manifest}; and verifies the directory against that manifest
 * before returning, while the files are as restored (CloudNativePG rewrites its configuration files
 * afterwards).
 *
 * <p>It writes no recovery settings and no {@code recovery.signal}: CloudNativePG writes the
 * returned {@code restore_config} and the recovery target itself, and settings in {@code
 * postgresql.auto.conf} would override its own. The data directory is {@code backup.pgdata} of the
 * plugin's configuration, else {@code $PGDATA}. Thread-safe.
 */
final class PluginRestore {

  private static final Logger LOG = LoggerFactory.getLogger(PluginRestore.class);

  /**
   * CloudNativePG's own restore_command, as its in-tree recovery and the peers' plugins write it.
   */
  static final String RESTORE_COMMAND =
      "/controller/manager wal-restore --log-destination /controller/log/postgres.json %f %p";

  /**
   * What CloudNativePG adds to the restored configuration: its own {@code wal-restore}, which calls
   * the WAL service of this plugin, and promotion at the target (CloudNativePG appends the target
   * settings after these lines).
   */
  static final String RESTORE_CONFIG =
      "recovery_target_action = promote\nrestore_command = '" + RESTORE_COMMAND + "'\n";

  private final RestoreClient restores;
  private final Optional<Path> pgdata;
  private final OptionalInt jobs;

  PluginRestore(RestoreClient restores, Optional<Path> pgdata, OptionalInt jobs) {
    this.restores = restores;
    this.pgdata = pgdata;
    this.jobs = jobs;
  }

  /**
   * Restores what {@code request}'s Cluster asks for; fails with the status CloudNativePG shows.
   */
  RestoreResponse run(io.klio.cnpgi.restorejob.v1.RestoreRequest request) throws StatusException {
    CnpgObjects.Cluster cluster = CnpgObjects.cluster(request.getClusterDefinition());
    String what = "the recovery of cluster " + cluster.name();
    Path dir = HookErrors.dataDirectory(pgdata, what);
    RestoreRequest restore = request(what, dir, cluster.recoveryTarget());
    RestoreReport report;
    try {
      report = restores.restore(restore, new Log(what));
    } catch (IOException e) {
      throw HookErrors.of(
          what + " failed",
          e,
          restore.backupId().isPresent()
              ? "check recoveryTarget.backupID against the backups of the Klio catalog (klio"
                  + " backup list), and remove a partially restored data directory"
              : "remove a partially restored data directory before trying again");
    } catch (InterruptedException e) {
      throw HookErrors.interrupted(
          what + " was aborted; remove the partially restored data directory " + dir);
    }
    LOG.info(
        "{}: restored backup {} into {} ({} files, {} bytes, verified against its"
            + " backup_manifest in {} ms)",
        what,
        report.backup().getBackupId(),
        report.dataDirectory(),
        report.files(),
        report.bytes(),
        report.elapsed().toMillis());
    return RestoreResponse.newBuilder().setRestoreConfig(RESTORE_CONFIG).build();
  }

  private RestoreRequest request(String what, Path dir, CnpgObjects.RecoveryTarget t)
      throws StatusException {
    try {
      Optional<RecoveryTarget> target =
          t.targetTime()
              .<RecoveryTarget>map(RecoveryTarget::time)
              .or(() -> t.targetLsn().map(RecoveryTarget::lsn));
      RestoreRequest.Builder b =
          RestoreRequest.builder(dir, RESTORE_COMMAND)
              .recoverySettings(false)
              .backup(t.backupId())
              .target(target)
              .timeline(TargetTimeline.parse(t.targetTli().orElse("latest")));
      jobs.ifPresent(b::jobs);
      return b.build();
    } catch (IllegalArgumentException e) {
      throw HookErrors.invalid(what + ": invalid recoveryTarget: " + e.getMessage());
    }
  }

  /** Logs the restore's steps (the instance manager shows the sidecar's log). */
  private record Log(String what) implements RestoreClient.Listener {
    @Override
    public void selected(BackupSummary b) {
      LOG.info(
          "{}: restoring backup {} (ended at {} on timeline {}, {} files, {} bytes)",
          what,
          b.getBackupId(),
          Lsn.of(b.getEndLsn()),
          b.getEndTimeline(),
          b.getFileCount(),
          b.getDataBytes());
    }

    @Override
    public void step(String step) {
      LOG.info("{}: {}", what, step);
    }
  }
}
