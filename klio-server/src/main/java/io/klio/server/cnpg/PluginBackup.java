package io.klio.server.cnpg;

import io.grpc.StatusException;
import io.klio.api.Lsn;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.client.BackupClient;
import io.klio.client.BackupListener;
import io.klio.client.BackupOptions;
import io.klio.client.BackupOutcome;
import io.klio.cnpgi.backup.v1.BackupRequest;
import io.klio.cnpgi.backup.v1.BackupResult;
import io.klio.server.config.ClientConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Backup hook's work: {@code klio backup} of this instance's data directory (the same library
 * call, {@link BackupClient#backup}, in this process), and the {@link BackupResult} CloudNativePG
 * records in the {@code Backup}'s status. The backup is restorable when this returns: the Klio
 * server has committed it only once its archive held the WAL from its start to its end (on a
 * primary, after a WAL switch; on a standby, once that WAL arrived through the primary's stream).
 *
 * <p>Settings come from the request's {@code parameters} (the {@code Backup}'s {@code
 * .spec.pluginConfiguration.parameters}: {@value #JOBS}, {@value #LABEL}, {@value #FAST}), else
 * from the {@code backup:} section of the plugin's configuration file; the data directory is {@code
 * backup.pgdata}, else {@code $PGDATA} (CloudNativePG sets it in the instance's containers).
 * Thread-safe.
 */
final class PluginBackup {

  private static final Logger LOG = LoggerFactory.getLogger(PluginBackup.class);

  static final String JOBS = "jobs";
  static final String LABEL = "label";
  static final String FAST = "fast";
  private static final Set<String> PARAMETERS = new TreeSet<>(Set.of(JOBS, LABEL, FAST));

  private final BackupClient backups;
  private final ClientConfig.Resolved config;
  private final Optional<Path> pgdata;
  private final String version;

  PluginBackup(
      BackupClient backups, ClientConfig.Resolved config, Optional<Path> pgdata, String version) {
    this.backups = backups;
    this.config = config;
    this.pgdata = pgdata;
    this.version = version;
  }

  /** Takes the backup {@code request} asks for; fails with the status CloudNativePG shows. */
  BackupResult run(BackupRequest request) throws StatusException {
    CnpgObjects.Cluster cluster = CnpgObjects.cluster(request.getClusterDefinition());
    CnpgObjects.Backup backup = CnpgObjects.backup(request.getBackupDefinition());
    String what = "backup " + backup.name() + " of cluster " + cluster.name();
    BackupOptions options = options(what, request.getParametersMap(), backup.name());
    LOG.info(
        "{}: taking a base backup of {} into cluster {} of the Klio server",
        what,
        options.pgdata(),
        config.client().cluster().value());
    Instant started = Instant.now();
    BackupOutcome outcome;
    try {
      outcome = backups.backup(options, BackupListener.NONE);
    } catch (IOException e) {
      throw HookErrors.of(
          what + " failed",
          e,
          "nothing was kept in the Klio catalog; fix the cause and take a new backup");
    } catch (InterruptedException e) {
      throw HookErrors.interrupted(what + " was aborted; nothing was kept in the Klio catalog");
    }
    BackupResult result = result(outcome.summary(), cluster, backup, started, Instant.now());
    LOG.info(
        "{}: committed as Klio backup {} ({} to {})",
        what,
        result.getBackupId(),
        result.getBeginLsn(),
        result.getEndLsn());
    return result;
  }

  private BackupOptions options(String what, Map<String, String> parameters, String backupName)
      throws StatusException {
    for (String key : parameters.keySet()) {
      if (!PARAMETERS.contains(key)) {
        throw HookErrors.invalid(
            what
                + ": unknown plugin parameter '"
                + key
                + "' (the Backup's spec.pluginConfiguration.parameters take "
                + String.join(", ", PARAMETERS)
                + ")");
      }
    }
    Path dir = HookErrors.dataDirectory(pgdata, what);
    ClientConfig.BackupSettings b = config.backup();
    try {
      return new BackupOptions(
          dir,
          config.connection(),
          parameters.containsKey(JOBS) ? parseJobs(parameters.get(JOBS)) : b.jobs(),
          parameters.getOrDefault(LABEL, backupName),
          parameters.containsKey(FAST) ? parseBoolean(parameters.get(FAST)) : b.fast(),
          b.walTimeout());
    } catch (IllegalArgumentException e) {
      throw HookErrors.invalid(what + ": invalid plugin parameter: " + e.getMessage());
    }
  }

  private static int parseJobs(String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("jobs must be a number from 1 to 64, not '" + text + "'");
    }
  }

  private static boolean parseBoolean(String text) {
    return switch (text.strip()) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException("fast must be true or false, not '" + text + "'");
    };
  }

  /**
   * The result CloudNativePG records. Times are Unix seconds and never zero (CloudNativePG turns a
   * zero into 1970-01-01): the catalog's, else when this call began and ended.
   */
  BackupResult result(
      BackupSummary s,
      CnpgObjects.Cluster cluster,
      CnpgObjects.Backup backup,
      Instant began,
      Instant ended) {
    BackupResult.Builder r =
        BackupResult.newBuilder()
            .setBackupId(s.getBackupId())
            .setBackupName(backup.name())
            .setStartedAt(seconds(s.getStartTimeMs(), began))
            .setStoppedAt(seconds(s.getStopTimeMs(), ended))
            .setBeginWal(s.getBeginWal())
            .setEndWal(s.getEndWal())
            .setBeginLsn(Lsn.of(s.getStartLsn()).toString())
            .setEndLsn(Lsn.of(s.getEndLsn()).toString())
            .setBackupLabelFile(s.getBackupLabel())
            .setOnline(true)
            .putMetadata("pluginName", PluginServer.NAME)
            .putMetadata("pluginVersion", version)
            .putMetadata("clusterName", cluster.name())
            .putMetadata("klioCluster", s.getCluster())
            .putMetadata("backupName", backup.name())
            .putMetadata("timeline", Integer.toString(s.getEndTimeline()))
            .putMetadata("systemIdentifier", Long.toUnsignedString(s.getSystemIdentifier()));
    if (!cluster.uid().isEmpty()) {
      r.putMetadata("clusterUID", cluster.uid());
    }
    if (!cluster.namespace().isEmpty()) {
      r.putMetadata("namespace", cluster.namespace());
    }
    if (!s.getTablespaceMap().isEmpty()) {
      r.setTablespaceMapFile(s.getTablespaceMap());
    }
    return r.build();
  }

  private static long seconds(long epochMs, Instant fallback) {
    return epochMs > 0 ? epochMs / 1000 : Math.max(1, fallback.getEpochSecond());
  }
}
