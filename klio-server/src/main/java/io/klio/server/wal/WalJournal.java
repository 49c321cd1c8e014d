package io.klio.server.wal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalFileName.Segment;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.PermanentException;
import io.klio.api.io.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incoming WAL of one cluster on Tier 1, kept as it arrives: one journal per segment
 * (docs/format.md), {@code <segment>.partial.journal} while the segment is received, renamed to
 * {@code <segment>.journal} when complete. A journal holds the WAL as records, raw or as the zstd
 * frames send-wal sent, so the server writes (and fsyncs) a fraction of the bytes and archives a
 * segment that came as frames without compressing it. {@link #flush()} fsyncs; {@link
 * #durableLsn()} is what was fsynced, the only position the server acknowledges.
 *
 * <p>WAL already held is never rewritten: a new stream that starts again at a segment's start has
 * the bytes the journal holds skipped (WAL at a position of a timeline never changes), so WAL once
 * acknowledged stays durable whatever the client does. A crash can only tear the last record, which
 * was not acknowledged; reading stops there and appending continues from there.
 *
 * <p>The file is extended with zeros {@link #PREALLOCATE} bytes at a time ahead of the records, as
 * pg_receivewal fills a segment with zeros before writing it: the fsync after each record then
 * writes data blocks only, not the file's new length as well (a journal commit of the file system
 * per acknowledgement, which synchronous commits wait for). Zeros never read as a record, so
 * readers stop there; the tail is cut off when the journal is closed.
 *
 * <p>Written by one stream at a time, through its {@link WalIntake}; the readers of {@link
 * JournalFile} may run concurrently with it.
 */
final class WalJournal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WalJournal.class);

  static final int PREALLOCATE = 1 << 20;
  private static final byte[] ZEROS = new byte[64 << 10];

  private final Path dir;
  private WalSegmentSize size;
  private Segment current;
  private FileChannel channel;
  private long covered; // WAL bytes of the current segment the journal holds
  private long synced; // of those, fsynced
  private long end; // where the next record goes in the file
  private long allocated; // the file's length: zeros from end to here
  private volatile Lsn durable = Lsn.INVALID;
  private volatile long durableAtMs;
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer header =
      ByteBuffer.allocate(JournalFile.RECORD_HEADER).order(ByteOrder.BIG_ENDIAN);

  WalJournal(Path dir) throws IOException {
    this.dir = dir;
    DurableFiles.createDirectories(dir);
  }

  /** Prepares for a new stream; a segment left open by the previous one is fsynced and closed. */
  void open(WalSegmentSize segmentSize) throws IOException {
    closeCurrent(false);
    this.size = segmentSize;
  }

  /** Appends raw WAL of {@code timeline} from {@code start}; it may cross segment ends. */
  void write(TimelineId timeline, Lsn start, byte[] data, int offset, int length)
      throws IOException {
    while (length > 0) {
      long inSegment = size.bytes() - start.segmentOffset(size);
      int n = (int) Math.min(length, inSegment);
      append(timeline, start, n, JournalFile.RAW, data, offset, n);
      start = start.plus(n);
      offset += n;
      length -= n;
    }
  }

  /**
   * Appends one record: {@code walLength} bytes of WAL from {@code start}, all in one segment,
   * carried by {@code payload} (raw, or one zstd frame the caller has checked decodes to them).
   */
  void append(
      TimelineId timeline,
      Lsn start,
      int walLength,
      byte encoding,
      byte[] payload,
      int offset,
      int length)
      throws IOException {
    Segment seg = Segment.containing(timeline, start, size);
    long segOffset = start.segmentOffset(size);
    if (segOffset + walLength > size.bytes()) {
      throw new IllegalArgumentException(
          "WAL at " + start + " of " + walLength + " bytes crosses the end of " + seg);
    }
    if (!seg.equals(current)) {
      closeCurrent(false);
      openSegment(seg);
      if (current == null) {
        return; // the segment is complete already
      }
    }
    if (segOffset > covered) {
      throw new IllegalStateException(
          "WAL at " + start + " does not follow " + seg.startLsn().plus(covered) + " in " + seg);
    }
    if (segOffset + walLength <= covered) {
      return; // held already
    }
    if (segOffset < covered) {
      // the start is held already: keep the rest, raw
      byte[] wal =
          encoding == JournalFile.RAW ? payload : decode(start, payload, offset, length, walLength);
      int from = (encoding == JournalFile.RAW ? offset : 0) + (int) (covered - segOffset);
      int n = (int) (segOffset + walLength - covered);
      writeRecord(covered, n, JournalFile.RAW, wal, from, n);
    } else {
      writeRecord(segOffset, walLength, encoding, payload, offset, length);
    }
    if (covered == size.bytes()) {
      closeCurrent(true);
    }
  }

  private static byte[] decode(Lsn start, byte[] frame, int offset, int length, int walLength)
      throws IOException {
    byte[] wal = new byte[walLength];
    try {
      long n = Zstd.decompressByteArray(wal, 0, walLength, frame, offset, length);
      if (n == walLength) {
        return wal;
      }
    } catch (ZstdException e) {
      // reported below
    }
    throw new PermanentException("WAL at " + start + ": the zstd frame does not decode");
  }

  private void writeRecord(
      long segOffset, int walLength, byte encoding, byte[] payload, int offset, int length)
      throws IOException {
    header.clear();
    header.putInt((int) segOffset).putInt(walLength).put(encoding).putInt(length);
    crc.reset();
    crc.update(header.array(), 0, 13);
    crc.update(payload, offset, length);
    header.putInt((int) crc.getValue());
    header.flip();
    if (end + JournalFile.RECORD_HEADER + length > allocated) {
      preallocate(end + JournalFile.RECORD_HEADER + length);
    }
    ByteBuffer[] both = {header, ByteBuffer.wrap(payload, offset, length)};
    while (both[1].hasRemaining()) {
      channel.write(both);
    }
    end += JournalFile.RECORD_HEADER + length;
    covered = segOffset + walLength;
  }

  /** Extends the file with zeros to at least {@code needed} bytes, and another step ahead. */
  private void preallocate(long needed) throws IOException {
    long target = Math.max(needed, allocated + PREALLOCATE);
    ByteBuffer z = ByteBuffer.wrap(ZEROS);
    for (long at = allocated; at < target; ) {
      z.clear().limit((int) Math.min(ZEROS.length, target - at));
      at += channel.write(z, at);
    }
    allocated = target;
  }

  private void openSegment(Segment seg) throws IOException {
    Path partial = dir.resolve(seg + JournalFile.PARTIAL);
    if (Files.exists(dir.resolve(seg + JournalFile.COMPLETE))) {
      return;
    }
    if (Files.exists(partial)) {
      JournalFile.Contents c = JournalFile.read(partial, size);
      channel = FileChannel.open(partial, StandardOpenOption.WRITE);
      if (c.tornBytes() > 0) {
        LOG.warn(
            "{}: {} bytes after the last whole record dropped (written, never acknowledged)",
            partial,
            c.tornBytes());
      }
      if (channel.size() > c.validBytes()) {
        channel.truncate(c.validBytes()); // a torn record, or zeros written ahead
      }
      // what a killed server wrote without fsync may still be only in the page cache: make what
      // the journal holds durable before it counts as synced
      channel.force(false);
      channel.position(c.validBytes());
      end = allocated = c.validBytes();
      covered = c.covered();
    } else {
      ByteBuffer h = ByteBuffer.allocate(JournalFile.FILE_HEADER);
      h.put(JournalFile.MAGIC).putLong(seg.startLsn().value());
      DurableFiles.write(partial, h.array());
      channel = FileChannel.open(partial, StandardOpenOption.WRITE);
      channel.position(JournalFile.FILE_HEADER);
      end = allocated = JournalFile.FILE_HEADER;
      covered = 0;
    }
    current = seg;
    synced = covered;
  }

  /** Fsyncs the current segment's journal; what it holds is then durable. */
  void flush() throws IOException {
    if (current != null && synced < covered) {
      channel.force(false);
      synced = covered;
      advanceDurable(current.startLsn().plus(synced));
    }
  }

  private void closeCurrent(boolean complete) throws IOException {
    if (current == null) {
      return;
    }
    if (synced < covered) {
      channel.force(false);
      synced = covered;
    }
    if (allocated > end) {
      // without an fsync: zeros that a crash leaves in the file read as its end
      channel.truncate(end);
    }
    channel.close();
    channel = null;
    Segment seg = current;
    current = null;
    if (complete) {
      DurableFiles.move(
          dir.resolve(seg + JournalFile.PARTIAL), dir.resolve(seg + JournalFile.COMPLETE));
    }
    advanceDurable(seg.startLsn().plus(synced));
  }

  private void advanceDurable(Lsn lsn) {
    if (lsn.isAfter(durable)) {
      durable = lsn;
      durableAtMs = System.currentTimeMillis();
    }
  }

  /** The timeline ended: its last segment stays a partial journal. */
  void endOfTimeline() throws IOException {
    closeCurrent(false);
  }

  /** Stores a timeline history file as it came (replacing it atomically, fsynced). */
  void writeHistory(TimelineId timeline, byte[] content) throws IOException {
    Path target = dir.resolve(new WalFileName.History(timeline).toString());
    if (Files.exists(target) && Arrays.equals(Files.readAllBytes(target), content)) {
      return;
    }
    DurableFiles.write(target, content);
  }

  /** Where WAL is durable: every byte before it is fsynced (across streams of this server run). */
  Lsn durableLsn() {
    return durable;
  }

  /** When {@link #durableLsn()} last advanced (unix ms); 0 when it has not in this server run. */
  long durableAtMs() {
    return durableAtMs;
  }

  @Override
  public void close() throws IOException {
    closeCurrent(false);
  }
}
