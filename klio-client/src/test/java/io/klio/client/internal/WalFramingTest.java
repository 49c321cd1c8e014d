package io.klio.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.grpc.v1.WalData;
import io.klio.api.grpc.v1.WalEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WalFramingTest {

  private static final long SEGMENT = 1 << 20;
  private static final TimelineId TL = TimelineId.of(3);

  private static byte[] compressible(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) "WAL record payload ".charAt(i % 19);
    }
    return b;
  }

  private static List<WalData> frame(WalFraming f, long start, byte[] wal) throws Exception {
    List<WalData> out = new ArrayList<>();
    f.frame(SEGMENT, TL, Lsn.of(start), wal, 0, wal.length, d -> out.add(d.build()));
    return out;
  }

  /** The WAL a piece carries. */
  private static byte[] wal(WalData d) {
    return d.getEncoding() == WalEncoding.WAL_ENCODING_ZSTD
        ? Zstd.decompress(d.getData().toByteArray(), d.getWalLength())
        : d.getData().toByteArray();
  }

  @Test
  void walIsCutAtSegmentEndsAndLargePiecesGoAsOneZstdFrameEach() throws Exception {
    byte[] wal = compressible(300 << 10);
    long start = 2 * SEGMENT - (100 << 10); // 100 KiB before the end of segment 1
    List<WalData> pieces = frame(new WalFraming(1), start, wal);

    assertThat(pieces).hasSize(2);
    assertThat(pieces.get(0).getStartLsn()).isEqualTo(start);
    assertThat(pieces.get(1).getStartLsn()).isEqualTo(2 * SEGMENT);
    for (WalData d : pieces) {
      assertThat(d.getTimeline()).isEqualTo(3);
      assertThat(d.getEncoding()).isEqualTo(WalEncoding.WAL_ENCODING_ZSTD);
      assertThat(d.getData().size()).isLessThan(d.getWalLength());
    }
    assertThat(pieces.get(0).getWalLength()).isEqualTo(100 << 10);
    byte[] back = new byte[wal.length];
    System.arraycopy(wal(pieces.get(0)), 0, back, 0, 100 << 10);
    System.arraycopy(wal(pieces.get(1)), 0, back, 100 << 10, 200 << 10);
    assertThat(Arrays.equals(back, wal)).isTrue();
  }

  @Test
  void smallIncompressibleAndUncompressedPiecesGoRaw() throws Exception {
    byte[] small = compressible(WalFraming.MIN_COMPRESS - 1);
    WalData s = frame(new WalFraming(1), SEGMENT, small).get(0);
    assertThat(s.getEncoding()).isEqualTo(WalEncoding.WAL_ENCODING_NONE);
    assertThat(s.getWalLength()).isZero();
    assertThat(s.getData().toByteArray()).isEqualTo(small);

    byte[] random = new byte[64 << 10];
    new Random(1).nextBytes(random);
    WalData r = frame(new WalFraming(19), SEGMENT, random).get(0);
    assertThat(r.getEncoding()).isEqualTo(WalEncoding.WAL_ENCODING_NONE);
    assertThat(r.getData().toByteArray()).isEqualTo(random);

    byte[] large = compressible(128 << 10);
    WalData none = frame(new WalFraming(0), SEGMENT, large).get(0);
    assertThat(none.getEncoding()).isEqualTo(WalEncoding.WAL_ENCODING_NONE);
    assertThat(none.getData().size()).isEqualTo(large.length);
  }

  @Test
  void theLevelIsChecked() {
    assertThatThrownBy(() -> new WalFraming(20)).hasMessageContaining("out of range 0-19");
  }
}
