package io.klio.dedup.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkersTest {

  @Test
  void descriptionsRoundTrip() throws Exception {
    for (String spec : List.of("fastcdc(min=2048,avg=8192,max=65536)", "fixed(size=8192)")) {
      assertThat(Chunkers.parse(spec).describe()).isEqualTo(spec);
    }
    assertThatThrownBy(() -> Chunkers.parse("rabin(avg=1)"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("no chunker named 'rabin'")
        .hasMessageContaining("known: fastcdc, fixed");
    assertThatThrownBy(() -> Chunkers.parse("fastcdc(min=1,avg=8192)"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("'max' is missing");
    assertThatThrownBy(() -> Chunkers.parse("fastcdc(min=1,avg=8192,max=65536)"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("invalid FastCDC sizes");
    assertThatThrownBy(() -> Chunkers.parse("fixed(sise=8192)"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("'sise=8192'");
    assertThatThrownBy(() -> Chunkers.parse("fixed(size=big)"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("'size=big' is not a number");
    assertThatThrownBy(() -> Chunkers.parse("fastcdc"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("name(key=value");
  }

  @Test
  void fixedChunksAreFixed() throws Exception {
    List<Integer> lens = new ArrayList<>();
    Chunkers.parse("fixed(size=1000)")
        .split(new ByteArrayInputStream(new byte[2500]), (b, o, l) -> lens.add(l));
    assertThat(lens).containsExactly(1000, 1000, 500);
    lens.clear();
    Chunkers.parse("fixed(size=1000)")
        .split(new ByteArrayInputStream(new byte[0]), (b, o, l) -> lens.add(l));
    assertThat(lens).isEmpty();
  }

  /** nextChunk, cut by cut over a buffer the caller keeps, gives split's boundaries exactly. */
  @Test
  void nextChunkGivesTheBoundariesOfSplit() throws Exception {
    byte[] data = new byte[3 << 20];
    new java.util.Random(7).nextBytes(data);
    java.util.Arrays.fill(
        data, 1 << 20, (1 << 20) + 300_000, (byte) 0); // a run the gear hash skips
    for (String spec :
        List.of("fastcdc(min=2048,avg=8192,max=65536)", "fixed(size=10000)", "fixed(size=64)")) {
      Chunker c = Chunkers.parse(spec);
      for (int length : new int[] {0, 1, 63, 2048, 65537, data.length}) {
        List<Integer> expected = new ArrayList<>();
        c.split(new ByteArrayInputStream(data, 0, length), (b, o, l) -> expected.add(l));
        List<Integer> actual = new ArrayList<>();
        int start = 0;
        while (start < length) {
          // hand over only max bytes of look-ahead unless the rest of the stream is shorter
          int end = Math.min(length, start + c.maxChunkSize() + 17);
          int n = c.nextChunk(data, start, end);
          assertThat(n).isBetween(1, c.maxChunkSize());
          actual.add(n);
          start += n;
        }
        assertThat(c.nextChunk(data, start, start)).isZero();
        assertThat(actual).as(spec + " over " + length + " bytes").isEqualTo(expected);
      }
    }
  }
}
