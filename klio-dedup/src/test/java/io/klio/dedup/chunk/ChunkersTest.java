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
}
