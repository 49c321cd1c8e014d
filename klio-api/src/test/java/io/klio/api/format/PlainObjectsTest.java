package io.klio.api.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Unencrypted objects without klio-crypto (SealedObjectsTest covers them through crypto too). */
class PlainObjectsTest {

  static final String KEY = "clusters/main/cluster";

  static byte[] seal(byte[] payload) throws IOException {
    return PlainObjects.seal(
            ObjectType.CLUSTER_METADATA,
            Codecs.NONE_ID,
            payload.length,
            new ByteArrayInputStream(payload))
        .readAllBytes();
  }

  static byte[] open(byte[] sealed) throws IOException {
    InputStream in = new ByteArrayInputStream(sealed);
    ObjectHeader h = ObjectHeader.read(KEY, in);
    try (InputStream p = PlainObjects.payload(KEY, h, in)) {
      return p.readAllBytes();
    }
  }

  @Test
  void headerPayloadAndTrailer() throws Exception {
    byte[] payload = new byte[5000];
    new Random(5).nextBytes(payload);
    byte[] sealed = seal(payload);
    assertThat(sealed).hasSize(ObjectHeader.SIZE + payload.length + 8);
    ByteBuffer trailer = ByteBuffer.wrap(sealed, sealed.length - 8, 8);
    assertThat(trailer.getInt()).isEqualTo(payload.length);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    assertThat(trailer.getInt()).isEqualTo((int) crc.getValue());
    assertThat(open(sealed)).isEqualTo(payload);
    assertThat(open(seal(new byte[0]))).isEmpty();
  }

  @Test
  void damageAndTruncationNameTheObject() throws Exception {
    byte[] sealed = seal("format=1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (int i = ObjectHeader.SIZE; i < sealed.length; i++) {
      byte[] bad = sealed.clone();
      bad[i] ^= 1;
      assertThatThrownBy(() -> open(bad))
          .isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("object '" + KEY + "' failed its integrity check");
    }
    assertThatThrownBy(() -> open(Arrays.copyOf(sealed, sealed.length - 1)))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining(KEY);
    assertThatThrownBy(() -> open(Arrays.copyOf(sealed, ObjectHeader.SIZE + 3)))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("object '" + KEY + "' is truncated: its trailer is missing");
  }

  @Test
  void anEncryptedHeaderIsNotOpenedAsPlain() {
    ObjectHeader encrypted =
        new ObjectHeader(
            ObjectType.WAL_SEGMENT, 0, ObjectHeader.ENCRYPTION_AES256_GCM_HKDF_1MB, 3, 10);
    assertThatThrownBy(
            () -> PlainObjects.payload(KEY, encrypted, new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is encrypted");
  }
}
