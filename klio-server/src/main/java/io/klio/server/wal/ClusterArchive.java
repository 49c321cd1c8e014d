package io.klio.server.wal;

import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineHistory;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import io.klio.api.format.ObjectType;
import io.klio.crypto.SealedObjects;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobStore;
import io.klio.walstream.WalSink.StoredSegment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL archive of one cluster on Tier 1 (docs/format.md). WAL enters through one door, the
 * {@link WalIntake} a stream opens ({@link #openIntake}), which writes the cluster's {@link
 * WalJournal} in {@code clusters/<cluster>/incoming/} (fsynced before acknowledgement); the {@link
 * SegmentArchiver} then stores each complete segment, compressed and sealed (encrypted when a key
 * is configured), as {@code clusters/<cluster>/wal/<xlog>/<segment>}, and removes its journal;
 * history files are stored as they arrive. The {@link ArchiveReader} serves both. Which stream
 * writes is not the archive's business ({@link StreamRegistry}); it only refuses a second intake
 * while one is open. Thread-safe.
 */
final class ClusterArchive implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterArchive.class);

  private final ArchiveLayout layout;
  private final BlobStore store;
  private final SealedObjects sealed;
  private final WalJournal journal;
  private final SegmentArchiver archiver;
  private final ArchiveReader reader;
  private volatile ClusterMeta meta;
  private volatile WalIntake intake; // the newest stream's; null before the first

  ClusterArchive(
      ClusterName cluster, BlobStore store, Path tier1, SealedObjects sealed, Codec codec)
      throws IOException {
    this.layout = ArchiveLayout.of(cluster, tier1);
    this.store = store;
    this.sealed = sealed;
    this.journal = new WalJournal(layout.incoming());
    this.archiver = new SegmentArchiver(layout, store, sealed, codec, () -> meta);
    this.reader = new ArchiveReader(layout, store, sealed, () -> meta);
    this.meta = readMeta().orElse(null);
    archiver.schedule(); // segments completed before a crash
  }

  ClusterName name() {
    return layout.cluster();
  }

  Optional<ClusterMeta> meta() {
    return Optional.ofNullable(meta);
  }

  private Optional<ClusterMeta> readMeta() throws IOException {
    BlobKey key = layout.metaKey();
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
    ClusterName cluster = layout.cluster();
    ClusterMeta m = meta;
    if (m == null) {
      m = new ClusterMeta(cluster, systemId, size, major);
      byte[] body = m.serialize();
      BlobKey key = layout.metaKey();
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

  /**
   * The door for one stream's WAL, for a cluster {@link #register registered} with segments of
   * {@code size}; a segment the previous stream left open is fsynced and closed first.
   *
   * @throws RetryableException while the previous stream's intake is still open (its session did
   *     not end in time): two streams never write the journal at once
   */
  synchronized WalIntake openIntake(WalSegmentSize size) throws IOException {
    ClusterMeta m = meta;
    if (m == null || !m.segmentSize().equals(size)) {
      throw new IllegalStateException("cluster " + name() + " is not registered with " + size);
    }
    WalIntake previous = intake;
    if (previous != null && previous.isOpen()) {
      throw new RetryableException(
          "cluster " + name() + ": the previous WAL stream has not ended yet; try again");
    }
    journal.open(size);
    WalIntake next =
        new WalIntake(
            name(), journal, size, archiver, previous == null ? Lsn.INVALID : previous.received());
    intake = next;
    return next;
  }

  // ---- reading

  /** A file served to get-wal. */
  record Fetched(byte[] content, boolean partial) {}

  /**
   * A segment (or its {@code .partial} when only that exists), a {@code .partial} asked for by
   * name, or a history file.
   *
   * @throws NotFoundException when the archive does not hold it
   */
  Fetched fetch(String name) throws IOException {
    return reader.fetch(name);
  }

  /** The newest segment held (highest segment number, then timeline), complete or partial. */
  Optional<StoredSegment> newestSegment() throws IOException {
    return reader.newestSegment();
  }

  /** Timelines whose history file is held. */
  List<Long> historyTimelines() throws IOException {
    return reader.historyTimelines();
  }

  /** Archived segments by timeline, for info and gap reports. */
  TreeMap<Long, TreeSet<Long>> segmentsByTimeline() throws IOException {
    return reader.segmentsByTimeline();
  }

  /** What the archive holds, for backups. */
  WalHoldings holdings() {
    return new WalHoldings() {
      @Override
      public WalSegmentSize segmentSize() {
        ClusterMeta m = meta;
        if (m == null) {
          throw new IllegalStateException("cluster " + name() + " is not registered");
        }
        return m.segmentSize();
      }

      @Override
      public Optional<Lsn> heldUpTo(WalFileName.Segment segment) throws IOException {
        return reader.heldUpTo(segment, journal.durableLsn());
      }

      @Override
      public Optional<Position> newest() throws IOException {
        Optional<StoredSegment> n = newestCheaply();
        if (n.isEmpty()) {
          return Optional.empty();
        }
        WalFileName.Segment seg = n.get().segment();
        return Optional.of(new Position(seg.timeline(), heldUpTo(seg).orElse(seg.startLsn())));
      }

      @Override
      public Optional<TimelineHistory> history(TimelineId timeline) throws IOException {
        try {
          return Optional.of(
              TimelineHistory.parse(timeline, fetch(timeline.toHex() + ".history").content()));
        } catch (NotFoundException e) {
          return Optional.empty();
        }
      }
    };
  }

  /**
   * The newest segment held, without listing every archived segment when the journals or the
   * archiver's last segment tell it.
   */
  private Optional<StoredSegment> newestCheaply() throws IOException {
    ClusterMeta m = meta;
    if (m == null) {
      return Optional.empty();
    }
    Optional<StoredSegment> best = JournalFile.newestSegment(layout.incoming(), m.segmentSize());
    String last = archiver.lastSegment();
    if (!last.isEmpty()) {
      StoredSegment archived =
          new StoredSegment(WalFileName.Segment.parse(last, m.segmentSize()), false);
      if (best.isEmpty() || JournalFile.newer(archived, best.get())) {
        best = Optional.of(archived);
      }
    }
    return best.isPresent() ? best : reader.newestSegment();
  }

  // ---- status

  Lsn receivedLsn() {
    WalIntake i = intake;
    return i == null ? Lsn.INVALID : i.received();
  }

  Lsn durableLsn() {
    return journal.durableLsn();
  }

  /**
   * When the archive was last known to hold its newest WAL (unix ms): now while a stream is open,
   * else when durable WAL last advanced in this server run; 0 when unknown.
   */
  long newestTimeMs() {
    return isStreaming() ? System.currentTimeMillis() : journal.durableAtMs();
  }

  /** Whether a stream is writing (its intake is open). */
  boolean isStreaming() {
    WalIntake i = intake;
    return i != null && i.isOpen();
  }

  long segmentsStored() {
    return archiver.segmentsStored();
  }

  long segmentsFromClientFrames() {
    return archiver.segmentsFromClientFrames();
  }

  String lastSegment() {
    return archiver.lastSegment();
  }

  /** Lets the archiver finish the segment it stores, then closes the journal. */
  @Override
  public void close() throws IOException {
    archiver.close();
    journal.close();
  }
}
