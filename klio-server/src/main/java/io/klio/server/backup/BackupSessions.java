package io.klio.server.backup;

import io.klio.api.BackupId;
import io.klio.api.ClusterName;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.BeginBackup;
import io.klio.dedup.repo.ChunkRepository;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running backups, one per cluster at most: a second backup of a cluster while one runs is
 * refused (PostgreSQL allows it, but two at once make neither faster and a backup id names one
 * start second). Thread-safe.
 */
final class BackupSessions {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ChunkRepository repo;
  private final Path staging;
  private final BackupCatalog catalog;
  private final BackupMetrics metrics;
  private final Map<ClusterName, BackupSession> running = new ConcurrentHashMap<>();

  BackupSessions(ChunkRepository repo, Path staging, BackupCatalog catalog, BackupMetrics metrics) {
    this.repo = repo;
    this.metrics = metrics;
    this.staging = staging;
    this.catalog = catalog;
  }

  /** Starts a backup of {@code cluster}. */
  BackupSession begin(ClusterName cluster, BeginBackup begin) throws IOException {
    synchronized (this) {
      BackupSession other = running.get(cluster);
      if (other != null) {
        throw new PermanentException(
            "a backup of cluster "
                + cluster
                + " is running already (backup "
                + other.backupId
                + " from "
                + (other.begin.getClientHost().isEmpty()
                    ? "an unnamed host"
                    : other.begin.getClientHost())
                + ", since "
                + DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(other.startedAtMs))
                + "); wait for it to finish");
      }
      String id = nextId(cluster);
      byte[] token = new byte[16];
      RANDOM.nextBytes(token);
      EntryStaging entries = EntryStaging.create(staging, cluster.value(), id);
      BackupSession s;
      try {
        s =
            new BackupSession(
                cluster,
                id,
                begin,
                token,
                repo.newWriter(),
                entries,
                committed -> {
                  running.remove(cluster);
                  if (!committed) {
                    metrics.aborted();
                  }
                });
      } catch (IOException | RuntimeException e) {
        entries.close();
        throw e;
      }
      running.put(cluster, s);
      return s;
    }
  }

  /** A backup id after every committed one of the cluster: its start second, or later. */
  private String nextId(ClusterName cluster) throws IOException {
    BackupId id = BackupId.of(Instant.now());
    List<io.klio.api.grpc.v1.BackupSummary> all = catalog.list(cluster);
    if (!all.isEmpty()) {
      BackupId last = BackupId.parse(all.get(all.size() - 1).getBackupId());
      if (id.compareTo(last) <= 0) {
        id = BackupId.of(last.startTime().plusSeconds(1));
      }
    }
    return id.value();
  }

  /**
   * The running backup an Upload call names, once its token matches.
   *
   * @throws NotFoundException when no such backup runs (it ended, or never began)
   */
  BackupSession find(ClusterName cluster, String backupId, byte[] token) throws IOException {
    BackupSession s = running.get(cluster);
    if (s == null || !s.backupId.equals(backupId) || !s.tokenMatches(token)) {
      throw new NotFoundException(
          "no running backup "
              + backupId
              + " of cluster "
              + cluster
              + " (it ended, or never began)");
    }
    return s;
  }

  Collection<BackupSession> all() {
    return List.copyOf(running.values());
  }

  /** Aborts every running backup (the server is stopping). */
  void abortAll(String reason) {
    for (BackupSession s : all()) {
      s.abort(reason);
    }
  }
}
