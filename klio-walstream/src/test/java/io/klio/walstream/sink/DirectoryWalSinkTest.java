package io.klio.walstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalSegmentSize;
import io.klio.walstream.WalSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryWalSinkTest {

  private static final WalSegmentSize SEG = WalSegmentSize.ofMegabytes(1);
  private static final TimelineId TL = TimelineId.of(1);
  private static final WalSink.StreamInfo INFO =
      new WalSink.StreamInfo(new SystemIdentifier(42), SEG, 15);

  @TempDir Path dir;

  /** A reconnecting sender starts again at the partial segment's start, on the same sink. */
  @Test
  void aNewStreamRewritesThePartialSegmentFromItsStart() throws Exception {
    byte[] wal = new byte[SEG.bytes() + 1000];
    new Random(3).nextBytes(wal);
    Lsn start = Lsn.of(SEG.bytes()); // segment 1
    try (DirectoryWalSink sink = new DirectoryWalSink(dir)) {
      sink.open(INFO, lsn -> {});
      sink.write(TL, start, wal, 0, 300_000);
      sink.flush();
      assertThat(sink.durableLsn()).isEqualTo(start.plus(300_000));
      // the stream breaks; a new one starts at the segment's start and goes further
      sink.open(INFO, lsn -> {});
      sink.write(TL, start, wal, 0, wal.length);
      sink.flush();
      assertThat(sink.durableLsn()).isEqualTo(start.plus(wal.length));
    }
    assertThat(Files.readAllBytes(dir.resolve("000000010000000000000001")))
        .isEqualTo(Arrays.copyOf(wal, SEG.bytes()));
    byte[] partial = Files.readAllBytes(dir.resolve("000000010000000000000002.partial"));
    assertThat(Arrays.copyOf(partial, 1000))
        .isEqualTo(Arrays.copyOfRange(wal, SEG.bytes(), wal.length));
  }
}
