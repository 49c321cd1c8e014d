package io.klio.crypto;

import com.google.crypto.tink.StreamingAead;
import io.klio.api.error.PermanentException;
import io.klio.api.format.CorruptObjectException;
import io.klio.api.format.ObjectHeader;
import io.klio.api.format.ObjectType;
import io.klio.api.format.PlainObjects;
import io.klio.api.io.BulkInputStream;
import io.klio.storage.BlobKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * Seals repository objects in the format of docs/format.md and opens them again, checking integrity
 * on every read. With a {@link KeyRing}, payloads are encrypted with the ring's active data key
 * (Tink streaming AEAD, 1 MiB segments); the header and the object's storage key are the associated
 * data, so an altered header, a truncated object or an object moved to another key fails. Without
 * one, a CRC-32C trailer guards the payload ({@link PlainObjects}, which this delegates to). Memory
 * stays bounded by one segment, whatever the object's size. Thread-safe.
 */
public final class SealedObjects {

  private final Optional<KeyRing> ring;

  private SealedObjects(Optional<KeyRing> ring) {
    this.ring = ring;
  }

  /** Objects of an unencrypted repository. */
  public static SealedObjects plain() {
    return new SealedObjects(Optional.empty());
  }

  /** Objects of a repository encrypted with {@code ring}. */
  public static SealedObjects encrypted(KeyRing ring) {
    return new SealedObjects(Optional.of(ring));
  }

  /**
   * The sealed bytes of an object, to hand to {@code BlobStore.put}: the header, then the payload
   * read from {@code payload} as the returned stream is read.
   *
   * @param codec the codec byte the payload is encoded with ({@link io.klio.api.format.Codecs})
   * @param plaintextLength the payload's length before compression, or {@link
   *     ObjectHeader#UNKNOWN_LENGTH}
   * @throws IllegalArgumentException for a codec byte no registered codec has
   */
  public InputStream seal(
      BlobKey key, ObjectType type, int codec, long plaintextLength, InputStream payload)
      throws IOException {
    if (ring.isEmpty()) {
      return PlainObjects.seal(type, codec, plaintextLength, payload);
    }
    DataKey k = ring.get().activeKey();
    ObjectHeader h =
        new ObjectHeader(
            type, codec, ObjectHeader.ENCRYPTION_AES256_GCM_HKDF_1MB, k.id(), plaintextLength);
    byte[] header = h.encode();
    StreamingAead aead = ring.get().streamingAead(k.id());
    return new PullEncryptor(
        header, payload, out -> newEncryptingStream(aead, out, aad(header, key)));
  }

  private static OutputStream newEncryptingStream(StreamingAead aead, OutputStream out, byte[] aad)
      throws IOException {
    try {
      return aead.newEncryptingStream(out, aad);
    } catch (GeneralSecurityException e) {
      throw new PermanentException("could not start encrypting: " + e.getMessage(), e);
    }
  }

  /**
   * Runs the sealing and opening paths until the JIT has compiled them with the AES-GCM intrinsics:
   * 1 MiB round trips until ten in a row take under 2 ms each, or {@code maxTime} passed. Before
   * that, encryption runs at well under 0.1 GB/s, and on 2 cores C2 takes about 5 to 8 seconds of
   * continuous work to get there. A server runs this in a background thread at startup so that the
   * first WAL segments it stores are not the slow ones.
   *
   * @return how long it took, in milliseconds
   */
  public static long warmUp(java.time.Duration maxTime) throws IOException {
    long start = System.nanoTime();
    SealedObjects s = encrypted(KeyRing.generate(java.util.UUID.randomUUID()));
    BlobKey key = BlobKey.of("warm-up");
    byte[] payload = new byte[1 << 20];
    byte[] buf = new byte[1 << 16];
    int fastInARow = 0;
    while (fastInARow < 10 && System.nanoTime() - start < maxTime.toNanos()) {
      long t = System.nanoTime();
      InputStream sealed =
          s.seal(
              key,
              ObjectType.WAL_SEGMENT,
              0,
              payload.length,
              new java.io.ByteArrayInputStream(payload));
      byte[] bytes = sealed.readAllBytes();
      try (InputStream opened = s.open(key, new java.io.ByteArrayInputStream(bytes)).payload()) {
        while (opened.read(buf) >= 0) {
          // drain
        }
      }
      fastInARow = System.nanoTime() - t < 2_000_000L ? fastInARow + 1 : 0;
    }
    return (System.nanoTime() - start) / 1_000_000L;
  }

  /** An opened object: its header and its payload, verified as it is read. */
  public record Opened(ObjectHeader header, InputStream payload) {}

  /**
   * Opens a sealed object read from {@code sealed}. Integrity failures surface as {@link
   * CorruptObjectException} naming the object, at the latest when the payload's end is read; the
   * header is checked first ({@link ObjectHeader#read}).
   */
  public Opened open(BlobKey key, InputStream sealed) throws IOException {
    ObjectHeader h = ObjectHeader.read(key.value(), sealed);
    if (h.encryption() == ObjectHeader.ENCRYPTION_NONE) {
      if (ring.isPresent()) {
        throw new CorruptObjectException(
            "object '"
                + key
                + "' is not encrypted, but repository "
                + ring.get().repositoryId()
                + " is: refusing it (it may have been replaced)");
      }
      return new Opened(h, PlainObjects.payload(key.value(), h, sealed));
    }
    if (ring.isEmpty()) {
      throw new PermanentException(
          "object '"
              + key
              + "' is encrypted (data key "
              + Integer.toUnsignedString(h.keyId())
              + "), but no key-encryption key is configured; configure the repository's key");
    }
    StreamingAead aead = ring.get().streamingAead(h.keyId());
    InputStream plain;
    try {
      plain = aead.newDecryptingStream(sealed, aad(h.encode(), key));
    } catch (GeneralSecurityException e) {
      throw new CorruptObjectException(
          "object '" + key + "' cannot be decrypted: " + e.getMessage(), e);
    }
    return new Opened(h, new CheckedDecryptor(key, plain, h.storedPayloadLength()));
  }

  static byte[] aad(byte[] header, BlobKey key) {
    byte[] k = key.value().getBytes(StandardCharsets.UTF_8);
    byte[] aad = new byte[header.length + k.length];
    System.arraycopy(header, 0, aad, 0, header.length);
    System.arraycopy(k, 0, aad, header.length, k.length);
    return aad;
  }

  /** Turns Tink's failures into errors that name the object, and checks the length at the end. */
  private static final class CheckedDecryptor extends BulkInputStream {
    private final BlobKey key;
    private final InputStream in;
    private final long expected;
    private long count;

    CheckedDecryptor(BlobKey key, InputStream in, long expected) {
      this.key = key;
      this.in = in;
      this.expected = expected;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        throw new CorruptObjectException(
            "object '"
                + key
                + "' failed authentication after "
                + count
                + " bytes: it is corrupted, truncated, or was moved from another key",
            e);
      }
      if (n > 0) {
        count += n;
      } else if (n < 0 && expected >= 0 && count != expected) {
        throw new CorruptObjectException(
            "object '" + key + "' holds " + count + " bytes, its header says " + expected);
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
