package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.dedup.codec.ZstdCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentFramesTest {

  private static final WalSegmentSize SIZE = WalSegmentSize.ofBytes(1 << 20);
  private static final int PIECE = 256 << 10;

  @TempDir Path dir;

  private final byte[] wal = walLike(1 << 20);

  private static WalFileName.Segment segment(long number) {
    return WalFileName.Segment.containing(TimelineId.of(1), Lsn.of(number * SIZE.bytes()), SIZE);
  }

  /** Compressible but not trivial, like WAL: repeated records with changing fields. */
  private static byte[] walLike(int n) {
    byte[] b = new byte[n];
    Random r = new Random(42);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 97 < 80 ? "record payload ".charAt(i % 15) : r.nextInt());
    }
    return b;
  }

  private void addPiece(SegmentFrames f, WalFileName.Segment seg, int index, boolean compressed) {
    byte[] frame =
        compressed
            ? Zstd.compress(
                java.util.Arrays.copyOfRange(wal, index * PIECE, (index + 1) * PIECE), 1)
            : null;
    f.add(seg, (long) index * PIECE, PIECE, frame, frame == null ? 0 : frame.length);
  }

  private String[] files() throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void aSegmentThatArrivedWholeAsFramesIsKeptAndDecodesToTheSegment() throws Exception {
    SegmentFrames f = new SegmentFrames(dir, SIZE.bytes());
    WalFileName.Segment seg = segment(3);
    for (int i = 0; i < 4; i++) {
      assertThat(SegmentFrames.of(dir, seg.toString())).isEmpty();
      addPiece(f, seg, i, true);
    }
    Path kept = SegmentFrames.of(dir, seg.toString()).orElseThrow();
    byte[] frames = Files.readAllBytes(kept);
    assertThat(frames.length).isLessThan(wal.length / 2);
    // several frames one after the other are one zstd stream, which the archive's codec reads
    assertThat(new ZstdCodec(3).decode(frames, wal.length)).isEqualTo(wal);
    assertThat(files()).containsExactly(seg + SegmentFrames.SUFFIX);
  }

  @Test
  void aRawPieceAGapOrALateStartLosesTheShortcutAndLeavesNothing() throws Exception {
    SegmentFrames f = new SegmentFrames(dir, SIZE.bytes());
    WalFileName.Segment a = segment(1);
    addPiece(f, a, 0, true);
    addPiece(f, a, 1, false); // came raw
    addPiece(f, a, 2, true);
    addPiece(f, a, 3, true);
    assertThat(SegmentFrames.of(dir, a.toString())).isEmpty();

    WalFileName.Segment b = segment(2);
    addPiece(f, b, 0, true);
    addPiece(f, b, 2, true); // gap
    addPiece(f, b, 3, true);
    assertThat(SegmentFrames.of(dir, b.toString())).isEmpty();

    WalFileName.Segment c = segment(3);
    addPiece(f, c, 1, true); // the stream started inside the segment
    addPiece(f, c, 2, true);
    addPiece(f, c, 3, true);
    assertThat(SegmentFrames.of(dir, c.toString())).isEmpty();
    assertThat(files()).isEmpty();
  }

  @Test
  void anUnfinishedSegmentIsDroppedByTheNextOneOrTheEndOfTheStream() throws Exception {
    SegmentFrames f = new SegmentFrames(dir, SIZE.bytes());
    addPiece(f, segment(1), 0, true);
    assertThat(files()).hasSize(1); // in progress
    addPiece(f, segment(2), 0, true); // a timeline switch or a restart elsewhere
    assertThat(files()).hasSize(1);
    f.dropQuietly();
    assertThat(files()).isEmpty();

    // a new stream rewrites a segment from its start: the frames are complete again
    SegmentFrames again = new SegmentFrames(dir, SIZE.bytes());
    for (int i = 0; i < 4; i++) {
      addPiece(again, segment(2), i, true);
    }
    assertThat(SegmentFrames.of(dir, segment(2).toString())).isPresent();
    SegmentFrames.clear(dir); // a server restart trusts nothing it finds
    assertThat(files()).isEmpty();
  }
}
