package io.klio.server.relay;

import io.klio.storage.BlobKey;

/**
 * Which Tier 1 keys the relay copies, and in what order they may go (docs/format.md, "Layout").
 *
 * <p>Tier-1-only keys are never copied: WAL journals and history files as received ({@code
 * clusters/<c>/incoming/}), chunk-writer sessions, garbage-collection state and the relay's own
 * files. Of the rest, packs, WAL segments and backup history files depend on nothing that comes
 * later and may be copied in any order among themselves; every other object (key rings, the
 * repository config, cluster metadata, timeline history files, index objects, manifests) is a
 * <em>barrier</em>: it is copied only once everything recorded before it is on Tier 2, and nothing
 * recorded after it is copied before it. So an index object reaches Tier 2 after its packs, a
 * manifest after its index objects, a segment after the history file of its timeline.
 */
final class RelayKeys {

  private RelayKeys() {}

  /** Whether the relay copies this key to Tier 2. */
  static boolean relayed(BlobKey key) {
    String k = key.value();
    if (k.startsWith("sessions/") || k.startsWith("gc/") || k.startsWith("relay/")) {
      return false;
    }
    if (k.startsWith("clusters/")) {
      int slash = k.indexOf('/', "clusters/".length());
      return slash < 0 || !k.startsWith("incoming/", slash + 1);
    }
    return true;
  }

  /** Whether this key must wait for everything recorded before it (see the class comment). */
  static boolean barrier(BlobKey key) {
    String k = key.value();
    if (k.startsWith("packs/")) {
      return false;
    }
    if (k.startsWith("clusters/")) {
      return !(k.contains("/wal/") && !k.contains("/wal/history/"));
    }
    return true;
  }

  /**
   * The order in which a first copy of an existing Tier 1 sends objects: what others depend on
   * first.
   */
  static int seedRank(BlobKey key) {
    String k = key.value();
    if (k.equals("klio-repository") || k.startsWith("keys/")) {
      return 0;
    }
    if (k.startsWith("packs/")) {
      return 3;
    }
    if (k.startsWith("index/")) {
      return 4;
    }
    if (k.startsWith("clusters/")) {
      if (k.endsWith("/cluster")) {
        return 1;
      }
      if (k.contains("/wal/history/")) {
        return 2;
      }
      if (k.contains("/wal/")) {
        return 5;
      }
      return 6; // manifests
    }
    return 7;
  }
}
