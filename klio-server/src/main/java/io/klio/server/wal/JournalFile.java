package io.klio.server.wal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import io.klio.api.WalFileName;
import io.klio.api.WalFileName.Segment;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.PermanentException;
import io.klio.walstream.WalSink.StoredSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The file format of a {@link WalJournal} (docs/format.md, "WAL journals"), and its readers: a
 * 16-byte header (magic {@code KLIOJRN1}, the segment's start LSN), then records of 17 header bytes
 * (offset in the segment, WAL length, encoding, payload length, CRC-32C of header and payload) and
 * the payload: raw WAL, or one zstd frame of it. The readers are static and may run while a stream
 * writes the journal: they stop at the first record that is not whole.
 */
final class JournalFile {

  static final String PARTIAL = ".partial.journal";
  static final String COMPLETE = ".journal";
  static final byte RAW = 0;
  static final byte ZSTD = 1;
  static final byte[] MAGIC = "KLIOJRN1".getBytes(StandardCharsets.US_ASCII);
  static final int FILE_HEADER = 16; // magic, segment start LSN
  static final int RECORD_HEADER = 17; // offset, wal length, encoding, payload length, crc

  private JournalFile() {}

  /** One record: WAL {@code [offset, offset + walLength)} of the segment, in {@code payload}. */
  record Record(long offset, int walLength, byte encoding, byte[] payload) {}

  /**
   * The whole records of a journal, the WAL bytes they cover, where they end in the file, and how
   * many bytes after them are not zeros written ahead (a record torn by a crash), 0 when none.
   */
  record Contents(List<Record> records, long covered, long validBytes, long tornBytes) {

    /** Whether every record is a zstd frame: their concatenation is then a zstd stream. */
    boolean allZstd() {
      return records.stream().allMatch(r -> r.encoding() == ZSTD);
    }

    /** The WAL, {@code length} bytes (zero after what the records cover, like pg_receivewal). */
    byte[] wal(int length) throws PermanentException {
      byte[] out = new byte[length];
      for (Record r : records) {
        if (r.encoding() == RAW) {
          System.arraycopy(r.payload(), 0, out, (int) r.offset(), r.walLength());
        } else {
          try {
            long n =
                Zstd.decompressByteArray(
                    out, (int) r.offset(), r.walLength(), r.payload(), 0, r.payload().length);
            if (n != r.walLength()) {
              throw new PermanentException(
                  "a zstd record at offset "
                      + r.offset()
                      + " holds "
                      + n
                      + " bytes, not "
                      + r.walLength());
            }
          } catch (ZstdException e) {
            throw new PermanentException(
                "a zstd record at offset " + r.offset() + " does not decode: " + e.getMessage(), e);
          }
        }
      }
      return out;
    }

    /** The zstd frames one after the other. */
    byte[] frames() {
      int n = records.stream().mapToInt(r -> r.payload().length).sum();
      byte[] out = new byte[n];
      int at = 0;
      for (Record r : records) {
        System.arraycopy(r.payload(), 0, out, at, r.payload().length);
        at += r.payload().length;
      }
      return out;
    }
  }

  /**
   * Reads a journal: its whole records, in order and contiguous from the segment's start. Reading
   * stops at the first record that is short or fails its checksum (a write torn by a crash).
   *
   * @throws PermanentException when the file is not a journal of this segment size
   */
  static Contents read(Path file, WalSegmentSize size) throws IOException {
    byte[] b = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(b);
    if (b.length < FILE_HEADER || !Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new PermanentException(file + " is not a Klio WAL journal (no KLIOJRN1 header)");
    }
    in.position(FILE_HEADER);
    List<Record> records = new ArrayList<>();
    long covered = 0;
    CRC32C c = new CRC32C();
    while (in.remaining() >= RECORD_HEADER) {
      int at = in.position();
      long offset = Integer.toUnsignedLong(in.getInt());
      int walLength = in.getInt();
      byte encoding = in.get();
      int length = in.getInt();
      int sum = in.getInt();
      if (offset != covered
          || walLength <= 0
          || offset + walLength > size.bytes()
          || (encoding != RAW && encoding != ZSTD)
          || length < 0
          || length > in.remaining()
          || (encoding == RAW && length != walLength)) {
        in.position(at);
        break;
      }
      c.reset();
      c.update(b, at, 13);
      c.update(b, in.position(), length);
      if ((int) c.getValue() != sum) {
        in.position(at);
        break;
      }
      byte[] payload = Arrays.copyOfRange(b, in.position(), in.position() + length);
      in.position(in.position() + length);
      records.add(new Record(offset, walLength, encoding, payload));
      covered += walLength;
    }
    int valid = in.position();
    boolean zeros = true;
    for (int i = valid; i < b.length && zeros; i++) {
      zeros = b[i] == 0;
    }
    return new Contents(records, covered, valid, zeros ? 0 : b.length - valid);
  }

  /** The newest segment the journals hold, complete or partial. */
  static Optional<StoredSegment> newestSegment(Path dir, WalSegmentSize size) throws IOException {
    StoredSegment best = null;
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        boolean partial = n.endsWith(PARTIAL);
        if (!partial && !n.endsWith(COMPLETE)) {
          continue;
        }
        String name = n.substring(0, n.length() - (partial ? PARTIAL : COMPLETE).length());
        if (name.length() != 24 || !WalFileName.isHex(name)) {
          continue;
        }
        StoredSegment cand = new StoredSegment(Segment.parse(name, size), partial);
        if (best == null || newer(cand, best)) {
          best = cand;
        }
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(best);
  }

  /**
   * Whether {@code a} is newer than {@code b}: a higher segment number, then a higher timeline,
   * then a complete segment over a partial one.
   */
  static boolean newer(StoredSegment a, StoredSegment b) {
    int c = Long.compare(a.segment().segmentNumber(), b.segment().segmentNumber());
    if (c != 0) {
      return c > 0;
    }
    int t = a.segment().timeline().compareTo(b.segment().timeline());
    return t != 0 ? t > 0 : !a.partial() && b.partial();
  }
}
