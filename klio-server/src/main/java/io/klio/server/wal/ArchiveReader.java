package io.klio.server.wal;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codecs;
import io.klio.api.format.ObjectHeader;
import io.klio.crypto.SealedObjects;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobStore;
import io.klio.walstream.WalSink.StoredSegment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Reads a cluster's archive as get-wal and the WAL service see it: archived objects (opened,
 * decrypted, decoded), and the journals of {@code incoming/} for what is not archived yet. Only
 * reads; thread-safe, and safe while a stream writes and the archiver stores.
 */
final class ArchiveReader {

  private final ArchiveLayout layout;
  private final BlobStore store;
  private final SealedObjects sealed;
  private final Supplier<ClusterMeta> meta; // null until the cluster is registered

  ArchiveReader(
      ArchiveLayout layout, BlobStore store, SealedObjects sealed, Supplier<ClusterMeta> meta) {
    this.layout = layout;
    this.store = store;
    this.sealed = sealed;
    this.meta = meta;
  }

  /** As {@link ClusterArchive#fetch}. */
  ClusterArchive.Fetched fetch(String name) throws IOException {
    ClusterMeta m = meta.get();
    WalSegmentSize size = m == null ? WalSegmentSize.DEFAULT : m.segmentSize();
    WalFileName file;
    try {
      file = WalFileName.parse(name, size);
    } catch (IllegalArgumentException e) {
      throw new PermanentException(e.getMessage());
    }
    if (m != null && file instanceof WalFileName.Segment seg) {
      Optional<byte[]> archived = open(layout.segmentKey(seg));
      if (archived.isPresent()) {
        return new ClusterArchive.Fetched(archived.get(), false);
      }
      Optional<byte[]> complete = readJournal(name + JournalFile.COMPLETE, m);
      if (complete.isPresent()) {
        return new ClusterArchive.Fetched(complete.get(), false);
      }
      Optional<byte[]> partial = readJournal(name + JournalFile.PARTIAL, m);
      if (partial.isPresent()) {
        return new ClusterArchive.Fetched(partial.get(), true);
      }
    } else if (m != null && file instanceof WalFileName.Partial p) {
      Optional<byte[]> partial = readJournal(p.segment() + JournalFile.PARTIAL, m);
      if (partial.isPresent()) {
        return new ClusterArchive.Fetched(partial.get(), true);
      }
    } else if (file instanceof WalFileName.History) {
      Optional<byte[]> h = open(layout.historyKey(name));
      if (h.isEmpty()) {
        h = readRaw(name);
      }
      if (h.isPresent()) {
        return new ClusterArchive.Fetched(h.get(), false);
      }
    }
    throw new NotFoundException("cluster " + layout.cluster() + ": the archive holds no " + name);
  }

  private Optional<byte[]> readRaw(String name) throws IOException {
    try {
      return Optional.of(Files.readAllBytes(layout.incoming().resolve(name)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** The WAL a journal of {@code incoming/} holds, as a whole segment file (zero-padded). */
  private Optional<byte[]> readJournal(String name, ClusterMeta m) throws IOException {
    try {
      return Optional.of(
          JournalFile.read(layout.incoming().resolve(name), m.segmentSize())
              .wal(m.segmentSize().bytes()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private Optional<byte[]> open(BlobKey key) throws IOException {
    byte[] stored;
    try (InputStream in = store.get(key)) {
      SealedObjects.Opened o = sealed.open(key, in);
      stored = o.payload().readAllBytes();
      ObjectHeader h = o.header();
      long length = h.plaintextLength();
      if (length < 0 || length > Integer.MAX_VALUE) {
        throw new PermanentException(
            store.describe() + " " + key + ": impossible length " + length);
      }
      return Optional.of(Codecs.byId(h.codec()).decode(stored, (int) length));
    } catch (BlobNotFoundException e) {
      return Optional.empty();
    } catch (PermanentException e) {
      if (e.getMessage() != null && e.getMessage().contains(key.value())) {
        throw e;
      }
      throw new PermanentException(store.describe() + " " + key + ": " + e.getMessage(), e);
    }
  }

  /**
   * How far {@code s} is held: its end when archived or received whole, the end of its partial
   * journal's records (no further than {@code durable} when the journal is being written) when only
   * part of it is.
   */
  Optional<Lsn> heldUpTo(WalFileName.Segment s, Lsn durable) throws IOException {
    if (store.stat(layout.segmentKey(s)).isPresent()
        || Files.exists(layout.incoming().resolve(s + JournalFile.COMPLETE))) {
      return Optional.of(s.endLsn());
    }
    Path partial = layout.incoming().resolve(s + JournalFile.PARTIAL);
    JournalFile.Contents c;
    try {
      c = JournalFile.read(partial, s.size());
    } catch (NoSuchFileException e) {
      // archived or completed meanwhile
      return store.stat(layout.segmentKey(s)).isPresent()
              || Files.exists(layout.incoming().resolve(s + JournalFile.COMPLETE))
          ? Optional.of(s.endLsn())
          : Optional.empty();
    }
    if (c.covered() == 0) {
      return Optional.empty();
    }
    Lsn end = s.startLsn().plus(c.covered());
    if (durable.compareTo(s.startLsn()) >= 0 && durable.isBefore(end)) {
      end = durable; // the tail is written but not fsynced yet
    }
    return Optional.of(end);
  }

  /** The newest segment held (highest segment number, then timeline), complete or partial. */
  Optional<StoredSegment> newestSegment() throws IOException {
    ClusterMeta m = meta.get();
    if (m == null) {
      return Optional.empty();
    }
    Optional<StoredSegment> best = JournalFile.newestSegment(layout.incoming(), m.segmentSize());
    for (WalFileName.Segment s : archivedSegments(m.segmentSize())) {
      StoredSegment archived = new StoredSegment(s, false);
      if (best.isEmpty() || JournalFile.newer(archived, best.get())) {
        best = Optional.of(archived);
      }
    }
    return best;
  }

  private List<WalFileName.Segment> archivedSegments(WalSegmentSize size) throws IOException {
    List<WalFileName.Segment> out = new ArrayList<>();
    store.forEach(
        layout.walPrefix(),
        (BlobInfo info) -> {
          String n = info.key().name();
          if (n.length() == 24 && WalFileName.isHex(n)) {
            out.add(WalFileName.Segment.parse(n, size));
          }
        });
    return out;
  }

  /** Timelines whose history file is held. */
  List<Long> historyTimelines() throws IOException {
    TreeSet<Long> out = new TreeSet<>();
    store.forEach(
        layout.historyPrefix(),
        info -> out.add(TimelineId.parseHex(info.key().name().substring(0, 8)).value()));
    Path incoming = layout.incoming();
    try (Stream<Path> s = Files.exists(incoming) ? Files.list(incoming) : Stream.empty()) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.length() == 16 && n.endsWith(".history"))
          .forEach(n -> out.add(TimelineId.parseHex(n.substring(0, 8)).value()));
    }
    return new ArrayList<>(out);
  }

  /** Archived segments by timeline, for info and gap reports. */
  TreeMap<Long, TreeSet<Long>> segmentsByTimeline() throws IOException {
    TreeMap<Long, TreeSet<Long>> out = new TreeMap<>();
    ClusterMeta m = meta.get();
    if (m == null) {
      return out;
    }
    for (WalFileName.Segment s : archivedSegments(m.segmentSize())) {
      out.computeIfAbsent(s.timeline().value(), k -> new TreeSet<>()).add(s.segmentNumber());
    }
    return out;
  }
}
