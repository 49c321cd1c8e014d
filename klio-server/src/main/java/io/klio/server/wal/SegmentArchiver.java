package io.klio.server.wal;

import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import io.klio.api.format.ObjectType;
import io.klio.crypto.SealedObjects;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves what the journals of {@code incoming/} completed into the archive, on a thread of its own:
 * each complete segment compressed (or, when it came whole as zstd frames and the codec is zstd, as
 * those frames) and sealed as {@code clusters/<cluster>/wal/<xlog>/<segment>}, then its journal
 * removed; each history file stored once. Idempotent: a crash between storing and removing stores
 * the segment again. Thread-safe; {@link #schedule()} never blocks.
 */
final class SegmentArchiver implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentArchiver.class);

  private final ArchiveLayout layout;
  private final BlobStore store;
  private final SealedObjects sealed;
  private final Codec codec;
  private final Supplier<ClusterMeta> meta; // null until the cluster is registered
  private final ExecutorService thread;
  private final AtomicLong segmentsStored = new AtomicLong();
  private final AtomicLong segmentsFromFrames = new AtomicLong();
  private volatile String lastSegment = "";

  SegmentArchiver(
      ArchiveLayout layout,
      BlobStore store,
      SealedObjects sealed,
      Codec codec,
      Supplier<ClusterMeta> meta) {
    this.layout = layout;
    this.store = store;
    this.sealed = sealed;
    this.codec = codec;
    this.meta = meta;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "klio-archiver-" + layout.cluster());
              t.setDaemon(true);
              return t;
            });
  }

  /** Archives what is complete, soon, on the archiver's thread. */
  void schedule() {
    thread.execute(
        () -> {
          try {
            archivePending();
          } catch (IOException | RuntimeException e) {
            LOG.error(
                "cluster {}: archiving failed, will retry with the next segment: {}",
                layout.cluster(),
                e.toString());
          }
        });
  }

  /** Stores every complete raw segment and history file of {@code incoming/}. */
  private void archivePending() throws IOException {
    ClusterMeta m = meta.get();
    Path incoming = layout.incoming();
    if (m == null || !Files.isDirectory(incoming)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(incoming)) {
      files = s.sorted().toList();
    }
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.endsWith(JournalFile.COMPLETE) && !name.endsWith(JournalFile.PARTIAL)) {
        archiveSegment(p, name.substring(0, name.length() - JournalFile.COMPLETE.length()), m);
      } else if (name.length() == 16 && name.endsWith(".history")) {
        BlobKey key = layout.historyKey(name);
        if (store.stat(key).isEmpty()) {
          putRaw(key, ObjectType.TIMELINE_HISTORY, Files.readAllBytes(p));
          LOG.info("cluster {}: archived {}", layout.cluster(), name);
        }
      }
    }
  }

  private void archiveSegment(Path journal, String segment, ClusterMeta m) throws IOException {
    WalSegmentSize size = m.segmentSize();
    WalFileName.Segment seg = WalFileName.Segment.parse(segment, size);
    JournalFile.Contents c;
    try {
      c = JournalFile.read(journal, size);
    } catch (NoSuchFileException gone) {
      return;
    }
    int length = size.bytes();
    if (c.covered() != length) {
      throw new PermanentException(
          journal
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
      put(layout.segmentKey(seg), ObjectType.WAL_SEGMENT, codec.id(), length, c.frames());
      segmentsFromFrames.incrementAndGet();
    } else {
      putRaw(layout.segmentKey(seg), ObjectType.WAL_SEGMENT, c.wal(length));
    }
    Files.delete(journal);
    segmentsStored.incrementAndGet();
    lastSegment = segment;
    LOG.debug(
        "cluster {}: archived {}{}", layout.cluster(), segment, asFrames ? " (client frames)" : "");
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

  long segmentsStored() {
    return segmentsStored.get();
  }

  long segmentsFromClientFrames() {
    return segmentsFromFrames.get();
  }

  String lastSegment() {
    return lastSegment;
  }

  /** Lets the segment being stored finish (up to 30 s), then stops. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
