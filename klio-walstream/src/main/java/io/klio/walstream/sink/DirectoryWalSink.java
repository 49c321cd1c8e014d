package io.klio.walstream.sink;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalFileName.Segment;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.PermanentException;
import io.klio.api.io.DurableFiles;
import io.klio.walstream.WalSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes WAL into a directory exactly as pg_receivewal does: the segment being received is {@code
 * <segment>.partial}, padded with zeros to the full segment size; when complete it is fsynced and
 * renamed to its final name, and the directory is fsynced; history files are written whole. By
 * default data is fsynced when a segment completes (and on close); in synchronous mode after every
 * {@link #flush()}.
 *
 * <p>Not thread-safe apart from {@link #durableLsn()}: one receiver thread drives it.
 */
public final class DirectoryWalSink implements WalSink {

  private final Path dir;
  private WalSegmentSize size;
  private DurabilityListener listener = lsn -> {};
  private volatile Lsn durable = Lsn.INVALID;

  private Segment current;
  private FileChannel channel;
  private long written; // bytes of the current segment written (from its start)
  private long synced; // bytes of the current segment fsynced

  public DirectoryWalSink(Path dir) throws IOException {
    this.dir = dir;
    DurableFiles.createDirectories(dir);
    if (!Files.isWritable(dir)) {
      throw new PermanentException("WAL directory \"" + dir + "\" is not writable");
    }
  }

  public Path directory() {
    return dir;
  }

  @Override
  public Optional<StoredSegment> newestSegment(WalSegmentSize segmentSize) throws IOException {
    StoredSegment best = null;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        WalFileName name;
        try {
          name = WalFileName.parse(p.getFileName().toString(), segmentSize);
        } catch (IllegalArgumentException notWal) {
          continue;
        }
        StoredSegment s;
        if (name instanceof Segment seg) {
          s = new StoredSegment(seg, false);
        } else if (name instanceof WalFileName.Partial part) {
          s = new StoredSegment(part.segment(), true);
        } else {
          continue;
        }
        long fileSize = Files.size(p);
        if (fileSize != segmentSize.bytes()) {
          throw new PermanentException(
              "WAL file \""
                  + p
                  + "\" has "
                  + fileSize
                  + " bytes, should be "
                  + segmentSize.bytes()
                  + "; remove it if it is a leftover, or check the segment size");
        }
        if (best == null || newer(s, best)) {
          best = s;
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private static boolean newer(StoredSegment a, StoredSegment b) {
    long sa = a.segment().segmentNumber();
    long sb = b.segment().segmentNumber();
    if (sa != sb) {
      return sa > sb;
    }
    int t = a.segment().timeline().compareTo(b.segment().timeline());
    if (t != 0) {
      return t > 0;
    }
    return !a.partial() && b.partial(); // a complete file beats a leftover partial
  }

  /** Reads the system identifier from the long page header of the newest segment. */
  @Override
  public Optional<SystemIdentifier> systemIdentifier() throws IOException {
    WalSegmentSize probe = size != null ? size : WalSegmentSize.DEFAULT;
    Optional<StoredSegment> newest;
    try {
      newest = newestSegment(probe);
    } catch (PermanentException wrongSize) {
      return Optional.empty();
    }
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    StoredSegment s = newest.get();
    Path p = dir.resolve(s.partial() ? s.segment().partial().toString() : s.segment().toString());
    ByteBuffer header = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      while (header.hasRemaining() && ch.read(header) >= 0) {
        // read the long page header
      }
    }
    long sysid = header.getLong(24);
    return sysid == 0 ? Optional.empty() : Optional.of(new SystemIdentifier(sysid));
  }

  /**
   * Prepares for a new stream. A segment left open by the previous stream is closed (fsynced, kept
   * as {@code .partial}): the new stream starts again at that segment's start.
   */
  @Override
  public void open(StreamInfo info, DurabilityListener durabilityListener) throws IOException {
    if (size != null && !size.equals(info.segmentSize())) {
      throw new IllegalStateException(
          "the segment size changed from " + size + " to " + info.segmentSize());
    }
    closeCurrent(false);
    this.size = info.segmentSize();
    this.listener = durabilityListener;
  }

  @Override
  public void write(TimelineId timeline, Lsn start, byte[] data, int offset, int length)
      throws IOException {
    Lsn pos = start;
    int off = offset;
    int left = length;
    while (left > 0) {
      Segment seg = Segment.containing(timeline, pos, size);
      if (!seg.equals(current)) {
        closeCurrent(false);
        openSegment(seg);
      }
      long segOffset = pos.segmentOffset(size);
      if (segOffset != written) {
        throw new IllegalStateException(
            "WAL at "
                + pos
                + " does not follow "
                + current.startLsn().plus(written)
                + " in "
                + current);
      }
      int n = (int) Math.min(left, size.bytes() - segOffset);
      ByteBuffer bb = ByteBuffer.wrap(data, off, n);
      long filePos = segOffset;
      while (bb.hasRemaining()) {
        filePos += channel.write(bb, filePos);
      }
      written = segOffset + n;
      pos = pos.plus(n);
      off += n;
      left -= n;
      if (written == size.bytes()) {
        closeCurrent(true);
      }
    }
  }

  private void openSegment(Segment seg) throws IOException {
    Path partial = dir.resolve(seg.partial().toString());
    boolean fresh = !Files.exists(partial) || Files.size(partial) == 0;
    if (!fresh && Files.size(partial) != size.bytes()) {
      throw new PermanentException(
          "WAL file \""
              + partial
              + "\" has "
              + Files.size(partial)
              + " bytes, should be 0 or "
              + size.bytes());
    }
    if (fresh) {
      // Extend a temporary file to the full segment size by writing its last byte, fsync it and
      // rename it: it reads back as exactly pg_receivewal's zero padding (same size, same bytes)
      // without writing and fsyncing 16 MiB of zeros per segment, and a crash never leaves a
      // short .partial.
      DurableFiles.write(partial, ch -> ch.write(ByteBuffer.allocate(1), size.bytes() - 1L));
    }
    channel = FileChannel.open(partial, StandardOpenOption.WRITE);
    current = seg;
    written = 0;
    synced = 0;
  }

  /** Closes the current segment; renames it to its final name when {@code complete}. */
  private void closeCurrent(boolean complete) throws IOException {
    if (current == null) {
      return;
    }
    if (synced < written) {
      channel.force(false);
      synced = written;
    }
    channel.close();
    channel = null;
    Segment seg = current;
    current = null;
    if (complete) {
      DurableFiles.move(dir.resolve(seg.partial().toString()), dir.resolve(seg.toString()));
    }
    advanceDurable(seg.startLsn().plus(synced));
  }

  @Override
  public void flush() throws IOException {
    if (current != null && synced < written) {
      channel.force(false);
      synced = written;
      advanceDurable(current.startLsn().plus(synced));
    }
  }

  private void advanceDurable(Lsn lsn) {
    if (lsn.isAfter(durable)) {
      durable = lsn;
      listener.durable(lsn);
    }
  }

  @Override
  public void endOfTimeline(TimelineId timeline, Lsn end) throws IOException {
    closeCurrent(false);
  }

  @Override
  public void writeHistory(TimelineId timeline, byte[] content) throws IOException {
    Path target = dir.resolve(new WalFileName.History(timeline).toString());
    if (Files.exists(target) && Arrays.equals(Files.readAllBytes(target), content)) {
      return;
    }
    DurableFiles.write(target, content);
  }

  @Override
  public boolean hasHistory(TimelineId timeline) {
    return Files.exists(dir.resolve(new WalFileName.History(timeline).toString()));
  }

  @Override
  public Lsn durableLsn() {
    return durable;
  }

  @Override
  public void close() throws IOException {
    closeCurrent(false);
  }

  @Override
  public String toString() {
    return "directory " + dir;
  }
}
