package io.klio.crypto;

import static io.klio.testkit.io.ByteArrays.indexOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.api.format.CorruptObjectException;
import io.klio.api.format.ObjectHeader;
import io.klio.api.format.ObjectType;
import io.klio.storage.BlobKey;
import io.klio.testkit.io.PatternStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SealedObjectsTest {

  static final BlobKey KEY =
      BlobKey.of("clusters/main/wal/0000000100000000/000000010000000000000001");
  static final KeyRing RING;

  static {
    try {
      RING = KeyRing.generate(UUID.randomUUID());
    } catch (PermanentException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] seal(SealedObjects s, BlobKey key, byte[] payload) throws IOException {
    return s.seal(key, ObjectType.WAL_SEGMENT, 0, payload.length, new ByteArrayInputStream(payload))
        .readAllBytes();
  }

  static byte[] open(SealedObjects s, BlobKey key, byte[] sealed) throws IOException {
    return s.open(key, new ByteArrayInputStream(sealed)).payload().readAllBytes();
  }

  /**
   * With a codec, the header's length is the length before compression, not the payload's. The
   * codec is a third party's ({@link TestCodecProvider}: klio-crypto's tests have no zstd), found
   * through META-INF/services like any codec.
   */
  @Test
  void aCompressedPayloadIsNotCheckedAgainstTheUncompressedLength() throws Exception {
    for (SealedObjects s :
        new SealedObjects[] {SealedObjects.plain(), SealedObjects.encrypted(RING)}) {
      byte[] compressed = random(1000, 9);
      byte[] sealed =
          s.seal(
                  KEY,
                  ObjectType.WAL_SEGMENT,
                  TestCodecProvider.ID,
                  16 << 20,
                  new ByteArrayInputStream(compressed))
              .readAllBytes();
      SealedObjects.Opened o = s.open(KEY, new ByteArrayInputStream(sealed));
      assertThat(o.payload().readAllBytes()).isEqualTo(compressed);
      assertThat(o.header().plaintextLength()).isEqualTo(16 << 20);
      assertThat(o.header().codec()).isEqualTo(TestCodecProvider.ID);
    }
  }

  /** A codec byte no codec on the class path has is refused on writing, not only on reading. */
  @Test
  void anUnregisteredCodecIsNotWritten() {
    for (SealedObjects s :
        new SealedObjects[] {SealedObjects.plain(), SealedObjects.encrypted(RING)}) {
      assertThatThrownBy(
              () ->
                  s.seal(
                      KEY, ObjectType.WAL_SEGMENT, 201, 1, new ByteArrayInputStream(new byte[1])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("codec 201 is not registered")
          .hasMessageContaining(TestCodecProvider.ID + " test-copy");
    }
  }

  @Test
  void roundTripsInBothModes() throws Exception {
    for (SealedObjects s :
        new SealedObjects[] {SealedObjects.plain(), SealedObjects.encrypted(RING)}) {
      for (int size : new int[] {0, 1, 4095, (1 << 20) + 7, 3 << 20}) {
        byte[] p = random(size, size);
        byte[] sealed = seal(s, KEY, p);
        assertThat(open(s, KEY, sealed)).as("size %d", size).isEqualTo(p);
        ObjectHeader h = s.open(KEY, new ByteArrayInputStream(sealed)).header();
        assertThat(h.plaintextLength()).isEqualTo(size);
        assertThat(h.type()).isEqualTo(ObjectType.WAL_SEGMENT);
      }
    }
    byte[] p = random(1000, 1);
    byte[] enc = seal(SealedObjects.encrypted(RING), KEY, p);
    assertThat(indexOf(enc, Arrays.copyOfRange(p, 100, 132))).as("plaintext visible").isEqualTo(-1);
  }

  /** Every single flipped byte, in the header or the payload, is detected and names the object. */
  @Test
  void everyFlippedByteIsDetected() throws Exception {
    for (SealedObjects s :
        new SealedObjects[] {SealedObjects.plain(), SealedObjects.encrypted(RING)}) {
      byte[] sealed = seal(s, KEY, random(2000, 2));
      for (int i = 0; i < sealed.length; i++) {
        byte[] bad = sealed.clone();
        bad[i] ^= (byte) (1 << (i % 8));
        expectFailure(s, KEY, bad, "flip at " + i);
      }
    }
  }

  @Test
  void truncationIsDetected() throws Exception {
    for (SealedObjects s :
        new SealedObjects[] {SealedObjects.plain(), SealedObjects.encrypted(RING)}) {
      byte[] sealed = seal(s, KEY, random((1 << 20) + 300, 3));
      for (int cut :
          new int[] {
            0,
            10,
            23,
            24,
            25,
            1000,
            sealed.length / 2,
            sealed.length - 300,
            sealed.length - 9,
            sealed.length - 1
          }) {
        expectFailure(s, KEY, Arrays.copyOf(sealed, cut), "cut at " + cut);
      }
    }
  }

  @Test
  void anObjectMovedToAnotherKeyIsDetected() throws Exception {
    SealedObjects s = SealedObjects.encrypted(RING);
    BlobKey other = BlobKey.of("clusters/main/wal/0000000100000000/000000010000000000000002");
    byte[] a = seal(s, KEY, random(500, 4));
    expectFailure(s, other, a, "swapped");
    // and an unencrypted object slipped into an encrypted repository is refused
    byte[] plain = seal(SealedObjects.plain(), KEY, random(500, 5));
    assertThatThrownBy(() -> open(s, KEY, plain))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("not encrypted");
    // an object of another repository names the missing data key
    byte[] foreign =
        seal(SealedObjects.encrypted(KeyRing.generate(UUID.randomUUID())), KEY, random(10, 6));
    assertThatThrownBy(() -> open(s, KEY, foreign))
        .isInstanceOf(WrongKeyException.class)
        .hasMessageContaining("is not in the key ring");
  }

  @Test
  void unknownVersionsAreRefusedWithAClearMessage() throws Exception {
    byte[] sealed = seal(SealedObjects.plain(), KEY, new byte[] {1});
    sealed[4] = 2; // header version 2, with a valid checksum
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(sealed, 0, 20);
    java.nio.ByteBuffer.wrap(sealed, 20, 4).putInt((int) crc.getValue());
    assertThatThrownBy(() -> open(SealedObjects.plain(), KEY, sealed))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("header version 2")
        .hasMessageContaining("upgrade Klio")
        .hasMessageContaining(KEY.value());
  }

  private static void expectFailure(SealedObjects s, BlobKey key, byte[] bad, String what) {
    try {
      open(s, key, bad);
      fail("%s: the damaged object opened without an error", what);
    } catch (KlioException e) {
      assertThat(e.getMessage()).as(what).contains(key.value().isEmpty() ? "" : keyOrId(e, key));
    } catch (IOException e) {
      fail("%s: untyped failure %s", what, e);
    }
  }

  /** Errors name the object; a flipped key id instead names the missing data key. */
  private static String keyOrId(KlioException e, BlobKey key) {
    return e instanceof WrongKeyException ? "data key" : key.value();
  }

  @Test
  void aGibibyteStreamsWithBoundedHeap() throws Exception {
    long size = 1L << 30;
    assertThat(Runtime.getRuntime().maxMemory()).as("run with -Xmx256m").isLessThan(size / 2);
    SealedObjects s = SealedObjects.encrypted(RING);
    MessageDigest out = MessageDigest.getInstance("SHA-256");
    PatternStream source = new PatternStream(size, 7);
    InputStream sealed = s.seal(KEY, ObjectType.WAL_SEGMENT, 0, size, source);
    try (InputStream opened = s.open(KEY, sealed).payload()) {
      byte[] buf = new byte[1 << 16];
      long total = 0;
      for (int n; (n = opened.read(buf)) >= 0; ) {
        out.update(buf, 0, n);
        total += n;
      }
      assertThat(total).isEqualTo(size);
    }
    assertThat(out.digest()).isEqualTo(source.digest());
  }

  @Test
  void warmUpStopsAtItsBudget() throws Exception {
    long ms = SealedObjects.warmUp(java.time.Duration.ofMillis(300));
    assertThat(ms).isBetween(0L, 5_000L);
  }
}
