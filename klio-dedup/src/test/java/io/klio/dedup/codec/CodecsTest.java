package io.klio.dedup.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodecsTest {

  static byte[] compressible(int n) {
    StringBuilder sb = new StringBuilder();
    Random r = new Random(1);
    while (sb.length() < n) {
      sb.append("INSERT INTO accounts VALUES (").append(r.nextInt(1000)).append(", 'abcdefgh');\n");
    }
    return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), n);
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void roundTripsAndNames() throws Exception {
    for (String spec : List.of("none", "zstd", "zstd:1", "zstd:19", "lz4")) {
      Codec c = Codecs.byName(spec);
      for (byte[] data :
          List.of(new byte[0], compressible(100_000), random(70_000), compressible(1 << 20))) {
        byte[] enc = c.encode(data, 0, data.length);
        assertThat(c.decode(enc, data.length)).as(spec).isEqualTo(data);
      }
    }
    assertThat(Codecs.byName("zstd").id()).isEqualTo(1);
    assertThat(Codecs.byName("lz4").id()).isEqualTo(2);
    assertThat(((ZstdCodec) Codecs.byName("zstd")).level()).isEqualTo(3);
    assertThatThrownBy(() -> Codecs.byName("brotli"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("no codec named 'brotli'")
        .hasMessageContaining("known: lz4, none, zstd");
    assertThatThrownBy(() -> Codecs.byName("zstd:99"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> Codecs.byName("zstd:fast"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("'fast'");
    assertThatThrownBy(() -> Codecs.byName("lz4:1"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("takes no parameter");
  }

  /** klio-dedup's codecs join klio-api's none in the registry under the ids of docs/format.md. */
  @Test
  void theRegistryKnowsKliosCodecsById() throws Exception {
    assertThat(Codecs.known()).isEqualTo("0 none, 1 zstd, 2 lz4");
    assertThat(Codecs.byId(0).name()).isEqualTo("none");
    assertThat(Codecs.byId(1)).isInstanceOf(ZstdCodec.class);
    assertThat(Codecs.byId(2)).isInstanceOf(Lz4Codec.class);
    byte[] data = compressible(10_000);
    // any level decodes with the codec of the id
    byte[] enc = Codecs.byName("zstd:19").encode(data, 0, data.length);
    assertThat(Codecs.byId(1).decode(enc, data.length)).isEqualTo(data);
    assertThatThrownBy(() -> Codecs.byId(3))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("unknown codec byte 3")
        .hasMessageContaining("known: 0 none, 1 zstd, 2 lz4");
  }

  @Test
  void incompressibleChunksAreStoredAsTheyAre() throws Exception {
    byte[] data = random(8192);
    Codecs.Encoded e = Codecs.encodeOrStore(Codecs.byName("zstd"), data, 0, data.length);
    assertThat(e.codec().name()).isEqualTo("none");
    assertThat(e.bytes()).isEqualTo(data);
    byte[] text = compressible(8192);
    Codecs.Encoded t = Codecs.encodeOrStore(Codecs.byName("zstd"), text, 0, text.length);
    assertThat(t.codec().name()).isEqualTo("zstd");
    assertThat(t.bytes().length).isLessThan(text.length / 3);
  }

  /** Flipped bytes and truncations: a clean exception, never wrong bytes. */
  @Test
  void corruptedInputFailsCleanly() throws Exception {
    Random r = new Random(3);
    for (String spec : List.of("zstd", "lz4")) {
      Codec c = Codecs.byName(spec);
      byte[] data = compressible(50_000);
      byte[] enc = c.encode(data, 0, data.length);
      for (int round = 0; round < 3000; round++) {
        byte[] bad =
            round % 3 == 0
                ? Arrays.copyOf(enc, r.nextInt(enc.length))
                : flip(enc, r.nextInt(enc.length), r.nextInt(8));
        try {
          byte[] out = c.decode(bad, data.length);
          assertThat(out)
              .as("%s round %d decoded without error: must equal the original", spec, round)
              .isEqualTo(data);
        } catch (PermanentException expected) {
          assertThat(expected.getMessage()).contains(spec);
        }
      }
      assertThatThrownBy(() -> c.decode(enc, data.length + 1))
          .isInstanceOf(PermanentException.class);
    }
  }

  private static byte[] flip(byte[] b, int at, int bit) {
    byte[] c = b.clone();
    c[at] ^= (byte) (1 << bit);
    return c;
  }
}
