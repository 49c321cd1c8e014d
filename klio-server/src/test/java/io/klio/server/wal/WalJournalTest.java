package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.dedup.codec.ZstdCodec;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalJournalTest {

  private static final WalSegmentSize SIZE = WalSegmentSize.ofBytes(1 << 20);
  private static final TimelineId TL = TimelineId.of(1);
  private static final int PIECE = 128 << 10;

  @TempDir Path dir;

  /** Two segments of compressible, WAL-like bytes, from LSN 0/1000000 (segment 1). */
  private final byte[] wal = walLike(2 << 20);

  private static byte[] walLike(int n) {
    byte[] b = new byte[n];
    Random r = new Random(7);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 97 < 80 ? "record payload ".charAt(i % 15) : r.nextInt());
    }
    return b;
  }

  private static Lsn lsn(long offset) {
    return Lsn.of(SIZE.bytes() + offset);
  }

  private static WalFileName.Segment segment(long number) {
    return WalFileName.Segment.containing(TL, Lsn.of(number * SIZE.bytes()), SIZE);
  }

  private void frame(WalJournal j, int from, int length) throws Exception {
    byte[] f = Zstd.compress(Arrays.copyOfRange(wal, from, from + length), 1);
    j.append(TL, lsn(from), length, JournalFile.ZSTD, f, 0, f.length);
  }

  private void raw(WalJournal j, int from, int length) throws Exception {
    j.write(TL, lsn(from), wal, from, length);
  }

  private WalJournal open() throws Exception {
    WalJournal j = new WalJournal(dir);
    j.open(SIZE);
    return j;
  }

  private Path complete(long number) {
    return dir.resolve(segment(number) + JournalFile.COMPLETE);
  }

  private Path partial(long number) {
    return dir.resolve(segment(number) + JournalFile.PARTIAL);
  }

  @Test
  void aSegmentThatCameAsFramesIsKeptAsAZstdStreamOfTheSegment() throws Exception {
    try (WalJournal j = open()) {
      for (int at = 0; at < SIZE.bytes(); at += PIECE) {
        frame(j, at, PIECE);
      }
      assertThat(j.durableLsn()).isEqualTo(lsn(SIZE.bytes())); // fsynced when complete
    }
    JournalFile.Contents c = JournalFile.read(complete(1), SIZE);
    assertThat(c.allZstd()).isTrue();
    assertThat(c.covered()).isEqualTo(SIZE.bytes());
    byte[] segment = Arrays.copyOf(wal, SIZE.bytes());
    assertThat(c.wal(SIZE.bytes())).isEqualTo(segment);
    // the frames one after the other are one zstd stream, which the archive's codec decodes
    assertThat(c.frames().length).isLessThan(SIZE.bytes() / 2);
    assertThat(new ZstdCodec(3).decode(c.frames(), SIZE.bytes())).isEqualTo(segment);
    assertThat(Files.exists(partial(1))).isFalse();
  }

  @Test
  void rawAndFramesMixAndCrossSegmentEnds() throws Exception {
    try (WalJournal j = open()) {
      raw(j, 0, 1000);
      frame(j, 1000, PIECE);
      raw(j, 1000 + PIECE, SIZE.bytes() - 1000 - PIECE + 5000); // into the next segment
      assertThat(j.durableLsn()).isEqualTo(lsn(SIZE.bytes()));
      j.flush();
      assertThat(j.durableLsn()).isEqualTo(lsn(SIZE.bytes() + 5000));
    }
    JournalFile.Contents first = JournalFile.read(complete(1), SIZE);
    assertThat(first.allZstd()).isFalse();
    assertThat(first.wal(SIZE.bytes())).isEqualTo(Arrays.copyOf(wal, SIZE.bytes()));
    JournalFile.Contents second = JournalFile.read(partial(2), SIZE);
    assertThat(second.covered()).isEqualTo(5000);
    byte[] expected = new byte[SIZE.bytes()]; // zero after the WAL held, like pg_receivewal
    System.arraycopy(wal, SIZE.bytes(), expected, 0, 5000);
    assertThat(second.wal(SIZE.bytes())).isEqualTo(expected);
    assertThat(JournalFile.newestSegment(dir, SIZE))
        .hasValueSatisfying(
            s -> {
              assertThat(s.segment()).isEqualTo(segment(2));
              assertThat(s.partial()).isTrue();
            });
  }

  @Test
  void aNewStreamNeverRewritesWhatIsHeldAndKeepsOnlyTheNewTail() throws Exception {
    try (WalJournal j = open()) {
      frame(j, 0, PIECE);
      frame(j, PIECE, PIECE);
      j.flush();
    }
    long before = Files.size(partial(1));
    try (WalJournal j = open()) { // a reconnect: the client starts again at the segment's start
      frame(j, 0, PIECE); // held: skipped
      raw(j, PIECE, PIECE / 2); // held: skipped
      assertThat(Files.size(partial(1))).isEqualTo(before);
      frame(j, PIECE + PIECE / 2, PIECE); // half held: the rest is kept, raw
      frame(j, 2 * PIECE + PIECE / 2, SIZE.bytes() - 2 * PIECE - PIECE / 2);
    }
    JournalFile.Contents c = JournalFile.read(complete(1), SIZE);
    assertThat(c.wal(SIZE.bytes())).isEqualTo(Arrays.copyOf(wal, SIZE.bytes()));
    assertThat(c.records()).extracting(JournalFile.Record::encoding).contains(JournalFile.RAW);
  }

  @Test
  void aTornLastRecordIsDroppedAndWritingGoesOnFromTheLastWholeOne() throws Exception {
    try (WalJournal j = open()) {
      frame(j, 0, PIECE);
      frame(j, PIECE, PIECE);
      j.flush();
    }
    long whole = Files.size(partial(1));
    try (FileChannel ch = FileChannel.open(partial(1), StandardOpenOption.WRITE)) {
      ch.truncate(whole - 10); // a crash in the middle of writing the second record
    }
    JournalFile.Contents c = JournalFile.read(partial(1), SIZE);
    assertThat(c.covered()).isEqualTo(PIECE);
    try (WalJournal j = open()) {
      frame(j, 0, PIECE);
      frame(j, PIECE, SIZE.bytes() - PIECE);
    }
    assertThat(JournalFile.read(complete(1), SIZE).wal(SIZE.bytes()))
        .isEqualTo(Arrays.copyOf(wal, SIZE.bytes()));

    // a flipped byte inside a record ends the readable part there too
    try (WalJournal j = open()) {
      raw(j, SIZE.bytes(), 4000);
    }
    byte[] b = Files.readAllBytes(partial(2));
    b[b.length - 100] ^= 1;
    Files.write(partial(2), b);
    assertThat(JournalFile.read(partial(2), SIZE).covered()).isZero();
  }

  @Test
  void zerosWrittenAheadReadAsTheEndAndAreCutOffWhenTheJournalCloses() throws Exception {
    byte[] crashed; // the file as a kill -9 would leave it: records, then the zeros written ahead
    try (WalJournal j = open()) {
      frame(j, 0, PIECE);
      raw(j, PIECE, 100);
      j.flush();
      crashed = Files.readAllBytes(partial(1));
    }
    JournalFile.Contents c = JournalFile.read(partial(1), SIZE);
    assertThat(Files.size(partial(1))).isEqualTo(c.validBytes()); // closing cut the zeros off
    assertThat(crashed.length).isGreaterThanOrEqualTo(WalJournal.PREALLOCATE);
    Files.write(partial(1), crashed);
    JournalFile.Contents after = JournalFile.read(partial(1), SIZE);
    assertThat(after.covered()).isEqualTo(PIECE + 100);
    assertThat(after.validBytes()).isEqualTo(c.validBytes());
    assertThat(after.tornBytes()).isZero();

    // a record torn inside the zeros: its bytes count as torn, the records before it stay
    byte[] torn = crashed.clone();
    Arrays.fill(torn, (int) c.validBytes(), (int) c.validBytes() + 9, (byte) 0x5a);
    Files.write(partial(1), torn);
    assertThat(JournalFile.read(partial(1), SIZE).covered()).isEqualTo(PIECE + 100);
    assertThat(JournalFile.read(partial(1), SIZE).tornBytes())
        .isEqualTo(torn.length - c.validBytes());

    // writing goes on where the whole records end, and the complete journal has no zeros left
    try (WalJournal j = open()) {
      raw(j, 0, PIECE + 100);
      frame(j, PIECE + 100, SIZE.bytes() - PIECE - 100);
    }
    JournalFile.Contents done = JournalFile.read(complete(1), SIZE);
    assertThat(done.wal(SIZE.bytes())).isEqualTo(Arrays.copyOf(wal, SIZE.bytes()));
    assertThat(Files.size(complete(1))).isEqualTo(done.validBytes());
  }

  @Test
  void gapsSegmentCrossingFramesAndForeignFilesAreRefused() throws Exception {
    try (WalJournal j = open()) {
      raw(j, 0, 100);
      assertThatThrownBy(() -> raw(j, 200, 100))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not follow 0/100064");
      byte[] f = Zstd.compress(new byte[10], 1);
      assertThatThrownBy(
              () -> j.append(TL, lsn(SIZE.bytes() - 5), 10, JournalFile.ZSTD, f, 0, f.length))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("crosses the end of");
    }
    Path foreign = dir.resolve("x" + JournalFile.PARTIAL);
    Files.writeString(foreign, "not a journal");
    assertThatThrownBy(() -> JournalFile.read(foreign, SIZE))
        .hasMessageContaining(foreign + " is not a Klio WAL journal");
  }
}
