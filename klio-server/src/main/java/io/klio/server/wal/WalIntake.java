package io.klio.server.wal;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalSegmentSize;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way received WAL enters a cluster's archive: one stream's hold on the archive's {@link
 * WalJournal}, opened by {@link ClusterArchive#openIntake}. It writes what the stream carries into
 * the journal, fsyncs on {@link #flush()} (the position it returns is the only one a stream may
 * acknowledge), and hands each completed segment and each history file to the archiver. Nothing
 * else writes the journal.
 *
 * <p><b>Threading.</b> Not thread-safe: the stream calls it from one thread at a time (its session
 * serializes the transport's thread and its worker); {@link #received()} and {@link #isOpen()} from
 * any thread. <b>Lifecycle.</b> One per stream; {@link #close()} when the stream ends. The archive
 * opens the next one only after this one is closed.
 */
final class WalIntake implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WalIntake.class);

  private final ClusterName cluster;
  private final WalJournal journal;
  private final WalSegmentSize size;
  private final SegmentArchiver archiver;
  private volatile Lsn received;
  private volatile boolean open = true;
  private ZstdDecompressCtx zstd;
  private byte[] wal = new byte[0];

  /**
   * @param received where the previous stream's WAL ended, until this one writes
   */
  WalIntake(
      ClusterName cluster,
      WalJournal journal,
      WalSegmentSize size,
      SegmentArchiver archiver,
      Lsn received) {
    this.cluster = cluster;
    this.journal = journal;
    this.size = size;
    this.archiver = archiver;
    this.received = received;
  }

  WalSegmentSize segmentSize() {
    return size;
  }

  /** Raw WAL of {@code timeline} from {@code start}; it may cross segment ends. */
  void write(TimelineId timeline, Lsn start, byte[] data) throws IOException {
    journal.write(timeline, start, data, 0, data.length);
    advance(start, data.length);
  }

  /**
   * One zstd frame of {@code walLength} bytes of WAL from {@code start}, within one segment. The
   * frame is decoded first: one that does not decode to exactly that is refused now ({@link
   * IllegalArgumentException}, a bad request), not found at restore time; it is kept as it came.
   */
  void writeFrame(TimelineId timeline, Lsn start, byte[] frame, int walLength) throws IOException {
    checkFrame(start, frame, walLength);
    journal.append(timeline, start, walLength, JournalFile.ZSTD, frame, 0, frame.length);
    advance(start, walLength);
  }

  private void advance(Lsn start, int length) {
    Lsn end = start.plus(length);
    received = end;
    if (start.segmentNumber(size) != Lsn.of(end.value() - 1).segmentNumber(size)
        || end.segmentOffset(size) == 0) {
      archiver.schedule(); // a segment was completed
    }
  }

  /** Decodes a zstd frame of WAL into {@link #wal}, or refuses it. */
  private void checkFrame(Lsn start, byte[] frame, int walLength) {
    if (walLength <= 0 || walLength > size.bytes()) {
      throw new IllegalArgumentException(
          "WAL data at "
              + start
              + ": wal_length "
              + Integer.toUnsignedString(walLength)
              + " is outside 1.."
              + size.bytes());
    }
    if (wal.length < walLength) {
      wal = new byte[Math.max(walLength, 128 << 10)];
    }
    if (zstd == null) {
      zstd = new ZstdDecompressCtx();
    }
    int n;
    try {
      n = zstd.decompressByteArray(wal, 0, walLength, frame, 0, frame.length);
    } catch (ZstdException e) {
      throw new IllegalArgumentException(
          "WAL data at " + start + ": the zstd frame does not decode: " + e.getMessage(), e);
    }
    if (n != walLength) {
      throw new IllegalArgumentException(
          "WAL data at " + start + ": the zstd frame holds " + n + " bytes, not " + walLength);
    }
  }

  /** The timeline ended: its last segment stays a partial journal. */
  void endOfTimeline() throws IOException {
    journal.endOfTimeline();
  }

  /** Stores a timeline history file, which the archiver then archives. */
  void history(TimelineId timeline, byte[] content) throws IOException {
    journal.writeHistory(timeline, content);
    archiver.schedule();
  }

  /**
   * Makes everything written durable (an fsync when anything is new); after {@link #close()} only
   * answers.
   *
   * @return where WAL is durable: every byte before it is fsynced
   */
  Lsn flush() throws IOException {
    if (open) {
      journal.flush();
    }
    return journal.durableLsn();
  }

  /** Where this stream's WAL (or the previous one's, before it wrote) ends. */
  Lsn received() {
    return received;
  }

  boolean isOpen() {
    return open;
  }

  /** Makes what arrived durable (the client resumes from it) and lets the archiver take it. */
  @Override
  public void close() {
    if (!open) {
      return;
    }
    try {
      journal.flush();
    } catch (IOException e) {
      LOG.warn("cluster {}: flush at stream end failed: {}", cluster, e.getMessage());
    }
    open = false;
    if (zstd != null) {
      zstd.close();
    }
    archiver.schedule();
  }
}
