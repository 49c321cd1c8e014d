package io.klio.server.wal;

import io.klio.api.ClusterName;
import io.klio.api.WalFileName;
import io.klio.storage.BlobKey;
import java.nio.file.Path;

/**
 * Where a cluster's archive keeps things (docs/format.md): its objects under {@code
 * clusters/<cluster>/} of the store, the WAL being received in {@code clusters/<cluster>/incoming/}
 * of Tier 1.
 */
record ArchiveLayout(ClusterName cluster, Path incoming) {

  static ArchiveLayout of(ClusterName cluster, Path tier1) {
    return new ArchiveLayout(
        cluster, tier1.resolve("clusters").resolve(cluster.value()).resolve("incoming"));
  }

  BlobKey metaKey() {
    return BlobKey.of("clusters/" + cluster + "/cluster");
  }

  /** Where archived segments are listed. */
  String walPrefix() {
    return "clusters/" + cluster + "/wal/";
  }

  /** Where archived history files are listed. */
  String historyPrefix() {
    return walPrefix() + "history/";
  }

  BlobKey segmentKey(WalFileName.Segment seg) {
    String n = seg.toString();
    return BlobKey.of(walPrefix() + n.substring(0, 16) + "/" + n);
  }

  BlobKey historyKey(String name) {
    return BlobKey.of(historyPrefix() + name);
  }
}
