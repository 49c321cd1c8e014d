package io.klio.server.backup;

import io.klio.api.ClusterName;
import io.klio.api.error.NotFoundException;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.crypto.SealedObjects;
import io.klio.dedup.repo.ChunkId;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The committed backups of every cluster: one manifest object each, {@code
 * clusters/<cluster>/backups/<backup-id>/manifest}. A backup is in the catalog exactly when its
 * manifest object exists; committing is one put, deleting one delete. The summaries are read once
 * per cluster and kept in memory. Thread-safe.
 */
final class BackupCatalog {

  private final BlobStore store;
  private final SealedObjects sealed;
  private final Supplier<Collection<ClusterName>> clusters;
  private final Map<ClusterName, TreeMap<String, BackupSummary>> byCluster =
      new ConcurrentHashMap<>();

  BackupCatalog(BlobStore store, SealedObjects sealed, Supplier<Collection<ClusterName>> clusters) {
    this.store = store;
    this.sealed = sealed;
    this.clusters = clusters;
  }

  /** The cluster's committed backups, oldest first. */
  List<BackupSummary> list(ClusterName cluster) throws IOException {
    TreeMap<String, BackupSummary> m = load(cluster);
    synchronized (m) {
      return new ArrayList<>(m.values());
    }
  }

  /**
   * @throws NotFoundException when the cluster has no committed backup {@code id}
   */
  BackupSummary get(ClusterName cluster, String id) throws IOException {
    TreeMap<String, BackupSummary> m = load(cluster);
    synchronized (m) {
      BackupSummary s = m.get(id);
      if (s == null) {
        throw new NotFoundException(
            "cluster "
                + cluster
                + " has no backup "
                + id
                + "; 'klio backup list' shows its backups");
      }
      return s;
    }
  }

  /** Stores the manifest of a finished backup: from now on it is in the catalog. */
  void commit(BackupSummary summary, Path entries, long entryCount) throws IOException {
    ClusterName cluster = ClusterName.of(summary.getCluster());
    TreeMap<String, BackupSummary> m = load(cluster);
    StoredManifest.write(
        store,
        sealed,
        StoredManifest.key(summary.getCluster(), summary.getBackupId()),
        summary,
        entries,
        entryCount);
    synchronized (m) {
      m.put(summary.getBackupId(), summary);
    }
  }

  /** Removes a backup from the catalog; its chunks are left to garbage collection. */
  BackupSummary delete(ClusterName cluster, String id) throws IOException {
    BackupSummary s = get(cluster, id);
    store.delete(StoredManifest.key(cluster.value(), id));
    TreeMap<String, BackupSummary> m = load(cluster);
    synchronized (m) {
      m.remove(id);
    }
    return s;
  }

  /** Opens a committed backup's manifest for reading its entries. */
  StoredManifest.Reader open(ClusterName cluster, String id) throws IOException {
    get(cluster, id);
    try {
      return StoredManifest.open(store, sealed, StoredManifest.key(cluster.value(), id));
    } catch (BlobNotFoundException e) {
      throw new NotFoundException("backup " + id + " of cluster " + cluster + " was deleted");
    }
  }

  /**
   * Every chunk id the committed backups of every cluster name (with repeats): the live chunks of
   * garbage collection.
   */
  void forEachLiveChunk(Consumer<ChunkId> sink) throws IOException {
    for (ClusterName c : clusters.get()) {
      for (BackupSummary s : list(c)) {
        try (StoredManifest.Reader r = open(c, s.getBackupId())) {
          for (FileEntry e = r.next(); e != null; e = r.next()) {
            byte[] ids = e.getChunkIds().toByteArray();
            for (int i = 0; i < ids.length; i += ChunkId.LENGTH) {
              sink.accept(ChunkId.read(ids, i));
            }
          }
        } catch (NotFoundException deleted) {
          // deleted meanwhile: its chunks are not live
        }
      }
    }
  }

  private TreeMap<String, BackupSummary> load(ClusterName cluster) throws IOException {
    TreeMap<String, BackupSummary> m = byCluster.get(cluster);
    if (m != null) {
      return m;
    }
    synchronized (this) {
      m = byCluster.get(cluster);
      if (m == null) {
        TreeMap<String, BackupSummary> read = new TreeMap<>();
        String prefix = "clusters/" + cluster + "/backups/";
        List<BlobKey> keys = new ArrayList<>();
        store.forEach(
            prefix,
            (BlobInfo info) -> {
              if (info.key().value().endsWith("/manifest")) {
                keys.add(info.key());
              }
            });
        for (BlobKey k : keys) {
          try {
            BackupSummary s = StoredManifest.readSummary(store, sealed, k);
            read.put(s.getBackupId(), s);
          } catch (BlobNotFoundException gone) {
            // deleted meanwhile
          }
        }
        m = read;
        byCluster.put(cluster, m);
      }
      return m;
    }
  }
}
