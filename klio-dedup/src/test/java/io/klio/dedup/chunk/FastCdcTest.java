package io.klio.dedup.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FastCdcTest {

  static byte[] seeded(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static List<Integer> lengths(Chunker c, byte[] data) throws Exception {
    List<Integer> l = new ArrayList<>();
    c.split(new ByteArrayInputStream(data), (b, off, len) -> l.add(len));
    return l;
  }

  /** Golden vectors: these boundaries and ids are part of the repository format. */
  @Test
  void goldenVectors() throws Exception {
    assertThat(Long.toHexString(FastCdc.GEAR[0])).isEqualTo(GEAR0);
    assertThat(Long.toHexString(FastCdc.GEAR[255])).isEqualTo(GEAR255);
    FastCdc c = new FastCdc(2048, 8192, 65536);
    byte[] data = seeded(1 << 20, 42);
    List<Integer> l = lengths(c, data);
    assertThat(l.subList(0, 12)).containsExactly(FIRST_LENGTHS);
    assertThat(l).hasSize(CHUNKS);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    List<String> ids = new ArrayList<>();
    c.split(
        new ByteArrayInputStream(data),
        (b, off, len) -> {
          sha.update(b, off, len);
          ids.add(HexFormat.of().formatHex(sha.digest()));
        });
    assertThat(ids.get(0)).isEqualTo(FIRST_ID);
    assertThat(ids.get(ids.size() - 1)).isEqualTo(LAST_ID);
  }

  // recorded from the first implementation; never change them
  static final String GEAR0 = "3a4f0003898d93f9";
  static final String GEAR255 = "df8fbef8a58dd9b9";
  static final Integer[] FIRST_LENGTHS = {
    10743, 10904, 10893, 10217, 9507, 9561, 14737, 6366, 9845, 13232, 3331, 4369
  };
  static final int CHUNKS = 109;
  static final String FIRST_ID = "553120e77d42283d7c9b1e463cc5e50b37e10d6fae3ad6ce411951866cec58be";
  static final String LAST_ID = "fa87e9e9764cae91163bcbcd137165953f807fbc6741f962fdb39de44fb0be3a";

  @Test
  void chunksReassembleAndRespectTheLimits() throws Exception {
    FastCdc c = new FastCdc(4096, 16384, 65536);
    for (byte[] data :
        List.of(new byte[0], new byte[1], seeded(5000, 1), seeded(3 << 20, 2), new byte[1 << 20])) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<Integer> lens = new ArrayList<>();
      c.split(
          new ByteArrayInputStream(data),
          (b, off, len) -> {
            out.write(b, off, len);
            lens.add(len);
          });
      assertThat(out.toByteArray()).isEqualTo(data);
      for (int i = 0; i < lens.size(); i++) {
        assertThat(lens.get(i)).isLessThanOrEqualTo(65536);
        if (i < lens.size() - 1) {
          assertThat(lens.get(i)).isGreaterThan(4096);
        }
      }
    }
  }

  /** Content-defined: inserting bytes at the front changes only the first chunks. */
  @Test
  void anInsertionDisturbsOnlyNearbyChunks() throws Exception {
    FastCdc c = new FastCdc(2048, 8192, 65536);
    byte[] data = seeded(4 << 20, 7);
    byte[] shifted = new byte[data.length + 100];
    System.arraycopy(seeded(100, 8), 0, shifted, 0, 100);
    System.arraycopy(data, 0, shifted, 100, data.length);
    Set<String> a = ids(c, data);
    Set<String> b = ids(c, shifted);
    Set<String> common = new HashSet<>(a);
    common.retainAll(b);
    assertThat(common.size()).isGreaterThan(a.size() - 5);
    // the average lands near the configured one
    int n = a.size();
    assertThat((double) data.length / n).isBetween(6000.0, 14000.0);
  }

  @Test
  void memoryIsBoundedByTheMaximumChunkSize() throws Exception {
    FastCdc c = new FastCdc(4096, 16384, 65536);
    long size = 256L << 20;
    long[] total = {0};
    InputStream huge =
        new InputStream() {
          long left = size;
          final Random r = new Random(3);

          @Override
          public int read() {
            return left-- > 0 ? r.nextInt(256) : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
              b[off + i] = (byte) (i * 31 + left);
            }
            left -= n;
            return n;
          }
        };
    c.split(
        huge,
        (b, off, len) -> {
          assertThat(b.length).isLessThanOrEqualTo(2 * 65536);
          total[0] += len;
        });
    assertThat(total[0]).isEqualTo(size);
  }

  @Test
  void invalidSizesAreRefused() {
    assertThatThrownBy(() -> new FastCdc(4096, 10000, 65536)).hasMessageContaining("power of two");
    assertThatThrownBy(() -> new FastCdc(16384, 16384, 65536)).hasMessageContaining("min < avg");
  }

  private static Set<String> ids(Chunker c, byte[] data) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Set<String> s = new HashSet<>();
    c.split(
        new ByteArrayInputStream(data),
        (b, off, len) -> {
          sha.update(b, off, len);
          s.add(HexFormat.of().formatHex(sha.digest()));
        });
    return s;
  }
}
