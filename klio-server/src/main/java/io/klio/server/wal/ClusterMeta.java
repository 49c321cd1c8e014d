package io.klio.server.wal;

import io.klio.api.ClusterName;
import io.klio.api.SystemIdentifier;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.PermanentException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * What the archive knows about a cluster, stored once at {@code clusters/<cluster>/cluster}: the
 * database system it belongs to. A stream from another system is refused.
 */
record ClusterMeta(
    ClusterName cluster, SystemIdentifier systemId, WalSegmentSize segmentSize, int serverMajor) {

  byte[] serialize() {
    String text =
        "format=1\ncluster="
            + cluster
            + "\nsystem-identifier="
            + Long.toUnsignedString(systemId.value())
            + "\nwal-segment-size="
            + segmentSize.bytes()
            + "\nserver-major="
            + serverMajor
            + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static ClusterMeta parse(String where, byte[] bytes) throws PermanentException {
    Properties p = new Properties();
    try {
      p.load(new java.io.StringReader(new String(bytes, StandardCharsets.UTF_8)));
      if (!"1".equals(p.getProperty("format"))) {
        throw new PermanentException(
            where + ": cluster metadata format " + p.getProperty("format") + " is not supported");
      }
      return new ClusterMeta(
          ClusterName.of(p.getProperty("cluster")),
          new SystemIdentifier(Long.parseUnsignedLong(p.getProperty("system-identifier"))),
          WalSegmentSize.ofBytes(Long.parseLong(p.getProperty("wal-segment-size"))),
          Integer.parseInt(p.getProperty("server-major")));
    } catch (java.io.IOException | RuntimeException e) {
      if (e instanceof PermanentException pe) {
        throw pe;
      }
      throw new PermanentException(where + ": damaged cluster metadata: " + e.getMessage(), e);
    }
  }
}
