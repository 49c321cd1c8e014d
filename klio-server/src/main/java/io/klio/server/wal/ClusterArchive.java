package io.klio.server.wal;

import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import io.klio.api.format.ObjectHeader;
import io.klio.api.format.ObjectType;
import io.klio.crypto.SealedObjects;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobStore;
import java.io.ByteArrayInputStream;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL archive of one cluster on Tier 1 (docs/format.md): WAL being received lives raw in {@code
 * clusters/<cluster>/incoming/} (a {@link WalJournal}: journals fsynced before acknowledgement);
 * each complete segment is then compressed, sealed (encrypted when a key is configured) and stored
 * as {@code clusters/<cluster>/wal/<xlog>/<segment>}, and its journal removed. History files are
 * stored as they arrive. Thread-safe.
 */
public final class ClusterArchive implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterArchive.class);

  private final ClusterName cluster;
  private final BlobStore store;
  private final SealedObjects sealed;
  private final Codec codec;
  private final Path incoming;
  private final WalJournal sink;
  private final ExecutorService archiver;
  private volatile ClusterMeta meta;
  private final AtomicLong segmentsStored = new AtomicLong();
  private final AtomicLong segmentsFromFrames = new AtomicLong();
  private volatile String lastSegment = "";
  private volatile Lsn receivedLsn = Lsn.INVALID;
  private volatile boolean streaming;

  ClusterArchive(
      ClusterName cluster, BlobStore store, Path tier1, SealedObjects sealed, Codec codec)
      throws IOException {
    this.cluster = cluster;
    this.store = store;
    this.sealed = sealed;
    this.codec = codec;
    this.incoming = tier1.resolve("clusters").resolve(cluster.value()).resolve("incoming");
    this.sink = new WalJournal(incoming);
    this.archiver =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "klio-archiver-" + cluster);
              t.setDaemon(true);
              return t;
            });
    this.meta = readMeta().orElse(null);
    scheduleArchiving(); // segments completed before a crash
  }

  public ClusterName name() {
    return cluster;
  }

  WalJournal sink() {
    return sink;
  }

  Optional<ClusterMeta> meta() {
    return Optional.ofNullable(meta);
  }

  private BlobKey metaKey() {
    return BlobKey.of("clusters/" + cluster + "/cluster");
  }

  private Optional<ClusterMeta> readMeta() throws IOException {
    BlobKey key = metaKey();
    try (InputStream in = store.get(key)) {
      SealedObjects.Opened o = sealed.open(key, in);
      return Optional.of(
          ClusterMeta.parse(store.describe() + " " + key, o.payload().readAllBytes()));
    } catch (BlobNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Registers the cluster's database system on first use; afterwards refuses any other system
   * identifier or segment size with an error that says what to do.
   */
  synchronized ClusterMeta register(SystemIdentifier systemId, WalSegmentSize size, int major)
      throws IOException {
    ClusterMeta m = meta;
    if (m == null) {
      m = new ClusterMeta(cluster, systemId, size, major);
      byte[] body = m.serialize();
      BlobKey key = metaKey();
      store.put(
          key,
          sealed.seal(
              key,
              ObjectType.CLUSTER_METADATA,
              Codecs.NONE_ID,
              body.length,
              new ByteArrayInputStream(body)));
      meta = m;
      LOG.info(
          "cluster {} registered: database system {}, WAL segments of {}", cluster, systemId, size);
      return m;
    }
    if (!m.systemId().equals(systemId)) {
      throw new PermanentException(
          "cluster "
              + cluster
              + " is archived for database system "
              + m.systemId()
              + ", but this PostgreSQL is system "
              + systemId
              + ": a different database under the same cluster name; give it its own cluster"
              + " name (or remove this cluster's archive if it is really to be replaced)");
    }
    if (!m.segmentSize().equals(size)) {
      throw new PermanentException(
          "cluster "
              + cluster
              + " is archived with WAL segments of "
              + m.segmentSize()
              + ", but this PostgreSQL uses "
              + size);
    }
    return m;
  }

  // ---- archiving

  void scheduleArchiving() {
    archiver.execute(
        () -> {
          try {
            archivePending();
          } catch (IOException | RuntimeException e) {
            LOG.error(
                "cluster {}: archiving failed, will retry with the next segment: {}",
                cluster,
                e.toString());
          }
        });
  }

  /** Stores every complete raw segment and history file of {@code incoming/}. */
  void archivePending() throws IOException {
    ClusterMeta m = meta;
    if (m == null || !Files.isDirectory(incoming)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(incoming)) {
      files = s.sorted().toList();
    }
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.endsWith(WalJournal.COMPLETE) && !name.endsWith(WalJournal.PARTIAL)) {
        String segment = name.substring(0, name.length() - WalJournal.COMPLETE.length());
        WalFileName.Segment seg = WalFileName.Segment.parse(segment, m.segmentSize());
        WalJournal.Contents c;
        try {
          c = WalJournal.read(p, m.segmentSize());
        } catch (NoSuchFileException gone) {
          continue;
        }
        int length = m.segmentSize().bytes();
        if (c.covered() != length) {
          throw new PermanentException(
              p
                  + " holds "
                  + c.covered()
                  + " bytes of WAL in whole records, not "
                  + length
                  + ": damaged; the segment is not archived (it can be streamed again while"
                  + " PostgreSQL keeps it)");
        }
        boolean asFrames = c.allZstd() && codec.name().equals("zstd");
        if (asFrames) {
          // the client's frames, one after the other: a zstd stream of the segment
          put(segmentKey(seg), ObjectType.WAL_SEGMENT, codec.id(), length, c.frames());
          segmentsFromFrames.incrementAndGet();
        } else {
          putRaw(segmentKey(seg), ObjectType.WAL_SEGMENT, c.wal(length));
        }
        Files.delete(p);
        segmentsStored.incrementAndGet();
        lastSegment = segment;
        LOG.debug(
            "cluster {}: archived {}{}", cluster, segment, asFrames ? " (client frames)" : "");
      } else if (name.length() == 16 && name.endsWith(".history")) {
        BlobKey key = historyKey(name);
        if (store.stat(key).isEmpty()) {
          putRaw(key, ObjectType.TIMELINE_HISTORY, Files.readAllBytes(p));
          LOG.info("cluster {}: archived {}", cluster, name);
        }
      }
    }
  }

  /** Stores {@code raw} compressed with the archive's codec (raw when it does not shrink). */
  private void putRaw(BlobKey key, ObjectType type, byte[] raw) throws IOException {
    Codecs.Encoded e = Codecs.encodeOrStore(codec, raw, 0, raw.length);
    put(key, type, e.codec().id(), raw.length, e.bytes());
  }

  private void put(BlobKey key, ObjectType type, int codecId, long rawLength, byte[] encoded)
      throws IOException {
    try (InputStream in =
        sealed.seal(key, type, codecId, rawLength, new ByteArrayInputStream(encoded))) {
      store.put(key, in);
    }
  }

  BlobKey segmentKey(WalFileName.Segment seg) {
    String n = seg.toString();
    return BlobKey.of("clusters/" + cluster + "/wal/" + n.substring(0, 16) + "/" + n);
  }

  BlobKey historyKey(String name) {
    return BlobKey.of("clusters/" + cluster + "/wal/history/" + name);
  }

  // ---- reading

  /** A file served to get-wal. */
  public record Fetched(byte[] content, boolean partial) {}

  /**
   * A segment (or its {@code .partial} when only that exists), a {@code .partial} asked for by
   * name, or a history file.
   *
   * @throws NotFoundException when the archive does not hold it
   */
  public Fetched fetch(String name) throws IOException {
    ClusterMeta m = meta;
    WalSegmentSize size = m == null ? WalSegmentSize.DEFAULT : m.segmentSize();
    WalFileName file;
    try {
      file = WalFileName.parse(name, size);
    } catch (IllegalArgumentException e) {
      throw new PermanentException(e.getMessage());
    }
    if (m != null && file instanceof WalFileName.Segment seg) {
      Optional<byte[]> archived = open(segmentKey(seg));
      if (archived.isPresent()) {
        return new Fetched(archived.get(), false);
      }
      Optional<byte[]> complete = readJournal(name + WalJournal.COMPLETE, m);
      if (complete.isPresent()) {
        return new Fetched(complete.get(), false);
      }
      Optional<byte[]> partial = readJournal(name + WalJournal.PARTIAL, m);
      if (partial.isPresent()) {
        return new Fetched(partial.get(), true);
      }
    } else if (m != null && file instanceof WalFileName.Partial p) {
      Optional<byte[]> partial = readJournal(p.segment() + WalJournal.PARTIAL, m);
      if (partial.isPresent()) {
        return new Fetched(partial.get(), true);
      }
    } else if (file instanceof WalFileName.History) {
      Optional<byte[]> h = open(historyKey(name));
      if (h.isEmpty()) {
        h = readRaw(name);
      }
      if (h.isPresent()) {
        return new Fetched(h.get(), false);
      }
    }
    throw new NotFoundException("cluster " + cluster + ": the archive holds no " + name);
  }

  private Optional<byte[]> readRaw(String name) throws IOException {
    try {
      return Optional.of(Files.readAllBytes(incoming.resolve(name)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** The WAL a journal of {@code incoming/} holds, as a whole segment file (zero-padded). */
  private Optional<byte[]> readJournal(String name, ClusterMeta m) throws IOException {
    try {
      return Optional.of(
          WalJournal.read(incoming.resolve(name), m.segmentSize()).wal(m.segmentSize().bytes()));
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

  /** The newest segment held (highest segment number, then timeline), complete or partial. */
  Optional<io.klio.walstream.WalSink.StoredSegment> newestSegment() throws IOException {
    ClusterMeta m = meta;
    if (m == null) {
      return Optional.empty();
    }
    Optional<io.klio.walstream.WalSink.StoredSegment> best =
        WalJournal.newestSegment(incoming, m.segmentSize());
    for (WalFileName.Segment s : archivedSegments(m.segmentSize())) {
      io.klio.walstream.WalSink.StoredSegment archived =
          new io.klio.walstream.WalSink.StoredSegment(s, false);
      if (best.isEmpty() || WalJournal.newer(archived, best.get())) {
        best = Optional.of(archived);
      }
    }
    return best;
  }

  List<WalFileName.Segment> archivedSegments(WalSegmentSize size) throws IOException {
    List<WalFileName.Segment> out = new ArrayList<>();
    store.forEach(
        "clusters/" + cluster + "/wal/",
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
        "clusters/" + cluster + "/wal/history/",
        info -> out.add(TimelineId.parseHex(info.key().name().substring(0, 8)).value()));
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
    ClusterMeta m = meta;
    if (m == null) {
      return out;
    }
    for (WalFileName.Segment s : archivedSegments(m.segmentSize())) {
      out.computeIfAbsent(s.timeline().value(), k -> new TreeSet<>()).add(s.segmentNumber());
    }
    return out;
  }

  // ---- streams

  private StreamSession active;

  /** Makes {@code session} the one stream of this cluster, ending an older one first. */
  void attach(StreamSession session) {
    StreamSession old;
    synchronized (this) {
      old = active;
      active = session;
    }
    if (old != null && old != session) {
      LOG.info("cluster {}: a newer WAL stream replaces the current one", cluster);
      old.replace();
    }
  }

  /** Ends the current stream after what it already received: flushed, acknowledged, completed. */
  public void endStream() {
    StreamSession s;
    synchronized (this) {
      s = active;
    }
    if (s != null) {
      s.end();
    }
  }

  synchronized void detach(StreamSession session) {
    if (active == session) {
      active = null;
      streaming = false;
    }
  }

  // ---- status

  void received(Lsn lsn) {
    receivedLsn = lsn;
  }

  void streaming(boolean on) {
    streaming = on;
  }

  public Lsn receivedLsn() {
    return receivedLsn;
  }

  public Lsn durableLsn() {
    return sink.durableLsn();
  }

  public boolean isStreaming() {
    return streaming;
  }

  public long segmentsStored() {
    return segmentsStored.get();
  }

  public long segmentsFromClientFrames() {
    return segmentsFromFrames.get();
  }

  public String lastSegment() {
    return lastSegment;
  }

  @Override
  public void close() throws IOException {
    archiver.shutdown();
    try {
      archiver.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sink.close();
  }
}
