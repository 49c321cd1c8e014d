package io.klio.server.wal;

import io.klio.api.WalFileName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zstd frames a client sent for the segment being received, kept beside its raw {@code
 * .partial} so that archiving the segment needs no compression: a segment that arrived from its
 * first byte to its last as frames (each decoded into the {@code .partial} as it came) is stored as
 * those frames one after the other, which is a valid zstd stream of the segment.
 *
 * <p>Frames files are a shortcut, never the record: they are not fsynced, anything that breaks the
 * run (a raw message, a gap, a restart of the stream or of the server) drops them, and the archiver
 * then compresses the raw segment itself. Used by one stream's worker thread at a time.
 */
final class SegmentFrames {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentFrames.class);

  static final String SUFFIX = ".zst";
  private static final String TEMP = ".tmp";

  private final Path dir;
  private final long segmentBytes;
  private WalFileName.Segment segment;
  private FileChannel out;
  private long next; // offset in the segment the next frame must start at; -1: this segment is lost

  SegmentFrames(Path dir, long segmentBytes) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
  }

  /** Removes what an earlier run left: after a crash nothing there is trusted. */
  static void clear(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The complete frames of {@code segment}, if they were kept. */
  static Optional<Path> of(Path dir, String segment) {
    Path p = dir.resolve(segment + SUFFIX);
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /**
   * Records WAL about to be written to the segment's {@code .partial}: {@code frame} (null when the
   * WAL came raw) holds the bytes {@code [offset, offset + length)} of {@code seg}. Called before
   * the raw write, so a segment's frames are complete by the time the segment is; frames that
   * outlive a failed raw write are still right, as WAL at a position of a timeline never changes.
   * Best effort: a failure here only costs the shortcut.
   */
  void add(WalFileName.Segment seg, long offset, long length, byte[] frame, int frameLength) {
    try {
      append(seg, offset, length, frame, frameLength);
    } catch (IOException e) {
      LOG.debug("frames of {} dropped: {}", seg, e.toString());
      dropQuietly();
      next = -1;
    }
  }

  private void append(
      WalFileName.Segment seg, long offset, long length, byte[] frame, int frameLength)
      throws IOException {
    if (!seg.equals(segment)) {
      drop();
      segment = seg;
      next = offset == 0 ? 0 : -1;
    }
    if (next < 0) {
      return;
    }
    if (frame == null || offset != next || offset + length > segmentBytes) {
      drop();
      next = -1;
      return;
    }
    if (out == null) {
      Files.createDirectories(dir);
      out =
          FileChannel.open(
              temp(),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
    }
    ByteBuffer b = ByteBuffer.wrap(frame, 0, frameLength);
    while (b.hasRemaining()) {
      out.write(b);
    }
    next += length;
    if (next == segmentBytes) {
      out.close();
      out = null;
      Files.move(temp(), dir.resolve(seg + SUFFIX), StandardCopyOption.REPLACE_EXISTING);
      segment = null;
    }
  }

  /** Forgets the segment in progress (the stream ended or broke off). */
  void dropQuietly() {
    try {
      drop();
    } catch (IOException e) {
      LOG.debug("cannot remove frames in {}: {}", dir, e.toString());
    }
  }

  private void drop() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
    if (segment != null) {
      Files.deleteIfExists(temp());
      segment = null;
    }
  }

  private Path temp() {
    return dir.resolve(segment + TEMP);
  }
}
