package io.klio.dedup.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.ChunkHasher;
import io.klio.crypto.KeyRing;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ChunkHashersTest {

  static final byte[] DATA = "klio chunk".getBytes(StandardCharsets.US_ASCII);

  @Test
  void sha256IsThePlainDigest() {
    ChunkHasher h = ChunkHashers.of("sha256", new byte[0]);
    assertThat(h).isSameAs(Sha256ChunkHasher.INSTANCE);
    // sha256("abc"), FIPS 180-2 appendix B.1
    assertThat(HexFormat.of().formatHex(h.hash("xabcx".getBytes(StandardCharsets.US_ASCII), 1, 3)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void hmacUsesTheGivenKey() throws Exception {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) i;
    }
    ChunkHasher h = ChunkHashers.of("hmac-sha256", key);
    assertThat(h.name()).isEqualTo("hmac-sha256");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] expected = mac.doFinal(DATA);
    assertThat(h.hash(DATA, 0, DATA.length)).isEqualTo(expected);
    key[0] = 99; // the hasher kept its own copy
    assertThat(h.hash(DATA, 0, DATA.length)).isEqualTo(expected);
    assertThat(h.hash(DATA, 0, DATA.length))
        .isNotEqualTo(Sha256ChunkHasher.INSTANCE.hash(DATA, 0, DATA.length));
  }

  /** A client given the ring's chunk-id key computes the ids of the repository that holds it. */
  @Test
  void hmacWithTheRingsKeyMakesTheRingsIds() throws Exception {
    KeyRing ring = KeyRing.generate(UUID.randomUUID());
    ChunkHasher client = ChunkHashers.of("hmac-sha256", ring.chunkIdKey());
    assertThat(client.hash(DATA, 0, DATA.length))
        .isEqualTo(ring.chunkHasher().hash(DATA, 0, DATA.length));
  }

  @Test
  void refusesWhatItDoesNotKnow() {
    assertThatThrownBy(() -> ChunkHashers.of("blake3", new byte[0]))
        .hasMessageContaining("'blake3'")
        .hasMessageContaining("sha256, hmac-sha256");
    assertThatThrownBy(() -> ChunkHashers.of("hmac-sha256", new byte[16]))
        .hasMessageContaining("32 bytes, not 16");
    assertThatThrownBy(() -> ChunkHashers.of("sha256", new byte[32]))
        .hasMessageContaining("takes no key");
  }
}
