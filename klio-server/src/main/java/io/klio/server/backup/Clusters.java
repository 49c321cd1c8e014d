package io.klio.server.backup;

import io.klio.api.ClusterName;
import io.klio.api.SystemIdentifier;
import io.klio.api.WalSegmentSize;
import java.io.IOException;
import java.util.Collection;
import java.util.Optional;

/**
 * What the backup service needs to know of the server's clusters; implemented over the archives.
 */
interface Clusters {

  /** A cluster's database system as registered by its first WAL client. */
  record Registered(SystemIdentifier systemId, WalSegmentSize segmentSize, int major) {}

  /** The database system registered for {@code cluster}, if any client streamed WAL yet. */
  Optional<Registered> registered(ClusterName cluster) throws IOException;

  /** What the cluster's WAL archive holds. */
  WalHoldings wal(ClusterName cluster) throws IOException;

  /** Every cluster the server knows. */
  Collection<ClusterName> all();
}
