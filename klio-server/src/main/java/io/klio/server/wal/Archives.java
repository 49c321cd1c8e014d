package io.klio.server.wal;

import io.klio.api.ClusterName;
import io.klio.api.SystemIdentifier;
import io.klio.api.WalSegmentSize;
import io.klio.api.format.Codec;
import io.klio.crypto.SealedObjects;
import io.klio.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The clusters of one server, each with its own archive, created on first use. Thread-safe. */
public final class Archives implements AutoCloseable {

  private final BlobStore store;
  private final Path tier1;
  private final SealedObjects sealed;
  private final Codec codec;
  private final Map<ClusterName, ClusterArchive> archives = new ConcurrentHashMap<>();

  public Archives(BlobStore store, Path tier1, SealedObjects sealed, Codec codec)
      throws IOException {
    this.store = store;
    this.tier1 = tier1;
    this.sealed = sealed;
    this.codec = codec;
    Path clusters = tier1.resolve("clusters");
    if (Files.isDirectory(clusters)) {
      try (Stream<Path> s = Files.list(clusters)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          get(ClusterName.of(p.getFileName().toString()));
        }
      }
    }
  }

  ClusterArchive get(ClusterName name) throws IOException {
    ClusterArchive a = archives.get(name);
    if (a != null) {
      return a;
    }
    synchronized (this) {
      a = archives.get(name);
      if (a == null) {
        a = new ClusterArchive(name, store, tier1, sealed, codec);
        archives.put(name, a);
      }
      return a;
    }
  }

  /** A cluster's database system, once its first WAL client registered it. */
  public record Registered(SystemIdentifier systemId, WalSegmentSize segmentSize, int major) {}

  /** The database system registered for {@code name}, if a WAL client registered it yet. */
  public Optional<Registered> registered(ClusterName name) throws IOException {
    return get(name)
        .meta()
        .map(m -> new Registered(m.systemId(), m.segmentSize(), m.serverMajor()));
  }

  /** What the archive of {@code name} holds, for backups. */
  public WalHoldings holdings(ClusterName name) throws IOException {
    return get(name).holdings();
  }

  /** The clusters the server knows, by name. */
  public List<ClusterName> names() {
    return all().stream().map(ClusterArchive::name).toList();
  }

  List<ClusterArchive> all() {
    List<ClusterArchive> out = new ArrayList<>(archives.values());
    out.sort((x, y) -> x.name().compareTo(y.name()));
    return out;
  }

  @Override
  public void close() throws IOException {
    for (ClusterArchive a : archives.values()) {
      a.close();
    }
  }
}
