package io.klio.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.ChunkSealer;
import io.klio.api.error.PermanentException;
import io.klio.api.format.CorruptObjectException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KeyRingChunkSealerTest {

  private static final byte[] PLAIN = "a chunk of a relation file".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = "chunk-id-1".getBytes(StandardCharsets.UTF_8);

  @Test
  void roundTripsAndBindsTheBytesToTheirPlace() throws Exception {
    ChunkSealer s = KeyRing.generate(UUID.randomUUID()).chunkSealer();
    byte[] framed = new byte[PLAIN.length + 10];
    System.arraycopy(PLAIN, 0, framed, 5, PLAIN.length);
    byte[] sealed = s.seal(framed, 5, PLAIN.length, AAD);
    assertThat(sealed).hasSize(PLAIN.length + 5 + 12 + 16);
    assertThat(s.open(sealed, 0, sealed.length, AAD)).isEqualTo(PLAIN);
    assertThat(s.seal(PLAIN, 0, PLAIN.length, AAD)).as("random nonce").isNotEqualTo(sealed);

    assertThatThrownBy(
            () -> s.open(sealed, 0, sealed.length, "chunk-id-2".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("authentication failed");
    for (int i = 0; i < sealed.length; i++) {
      byte[] bad = sealed.clone();
      bad[i] ^= 1;
      assertThatThrownBy(() -> s.open(bad, 0, bad.length, AAD))
          .as("flipped byte %d", i)
          .isInstanceOf(PermanentException.class);
    }
    assertThatThrownBy(() -> s.open(sealed, 0, 20, AAD)).hasMessageContaining("too short");
  }

  @Test
  void oldDataKeysStillOpenAfterRotationAndAnotherRingIsRefusedByKeyId() throws Exception {
    KeyRing ring = KeyRing.generate(UUID.randomUUID());
    byte[] old = ring.chunkSealer().seal(PLAIN, 0, PLAIN.length, AAD);
    KeyRing rotated = ring.withNewActiveKey();
    byte[] fresh = rotated.chunkSealer().seal(PLAIN, 0, PLAIN.length, AAD);
    assertThat(rotated.chunkSealer().open(old, 0, old.length, AAD)).isEqualTo(PLAIN);
    assertThat(rotated.chunkSealer().open(fresh, 0, fresh.length, AAD)).isEqualTo(PLAIN);
    assertThat(java.util.Arrays.copyOfRange(fresh, 1, 5))
        .isNotEqualTo(java.util.Arrays.copyOfRange(old, 1, 5));

    KeyRing other = KeyRing.generate(UUID.randomUUID());
    assertThatThrownBy(() -> other.chunkSealer().open(old, 0, old.length, AAD))
        .isInstanceOf(WrongKeyException.class)
        .hasMessageContaining("is not in the key ring of repository " + other.repositoryId());
  }

  @Test
  void keyMaterialNeverShowsInToString() throws Exception {
    KeyRing ring = KeyRing.generate(UUID.randomUUID());
    ChunkSealer s = ring.chunkSealer();
    String text = s.toString();
    for (DataKey k : ring.keys()) {
      assertThat(text).doesNotContain(HexFormat.of().formatHex(k.keyset()).substring(0, 16));
    }
    assertThat(text).contains(ring.repositoryId().toString());
  }
}
