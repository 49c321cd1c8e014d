package io.klio.api.format;

import io.klio.api.error.PermanentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The 24-byte header WAL segments, history files, manifests and cluster metadata start with
 * (docs/format.md, "Common object header"): magic {@code KLIO}, header version, object type, codec,
 * encryption, data key id, plaintext length, CRC-32C. Immutable; a header that is built is one a
 * reader accepts.
 *
 * @param type what the object is
 * @param codec the codec byte of the payload, one {@link Codecs} knows
 * @param encryption {@link #ENCRYPTION_NONE} or {@link #ENCRYPTION_AES256_GCM_HKDF_1MB}
 * @param keyId the data key id in the key ring, 0 when not encrypted
 * @param plaintextLength the payload's length before compression, or {@link #UNKNOWN_LENGTH}
 */
public record ObjectHeader(
    ObjectType type, int codec, int encryption, int keyId, long plaintextLength) {

  public static final int SIZE = 24;
  public static final int VERSION = 1;
  public static final int ENCRYPTION_NONE = 0;
  public static final int ENCRYPTION_AES256_GCM_HKDF_1MB = 1;

  /** Plaintext length when it is not known in advance. */
  public static final long UNKNOWN_LENGTH = -1L;

  private static final int MAGIC = 0x4B4C494F; // "KLIO"
  private static final int CRC_OFFSET = 20;

  /**
   * @throws IllegalArgumentException for a codec no {@link Codecs} provider has or an unknown
   *     encryption: what no reader could open is never written
   */
  public ObjectHeader {
    Objects.requireNonNull(type, "type");
    if (!Codecs.isKnown(codec)) {
      throw new IllegalArgumentException(
          "codec " + codec + " is not registered (known: " + Codecs.known() + ")");
    }
    if (encryption != ENCRYPTION_NONE && encryption != ENCRYPTION_AES256_GCM_HKDF_1MB) {
      throw new IllegalArgumentException("unknown encryption " + encryption);
    }
  }

  /** The 24 bytes of this header. */
  public byte[] encode() {
    ByteBuffer b =
        ByteBuffer.allocate(SIZE)
            .putInt(MAGIC)
            .put((byte) VERSION)
            .put((byte) type.id())
            .put((byte) codec)
            .put((byte) encryption)
            .putInt(keyId)
            .putLong(plaintextLength);
    b.putInt(crc(b.array()));
    return b.array();
  }

  /**
   * The length the stored payload must have, to check at its end: the plaintext length when the
   * codec is {@code none}, else {@link #UNKNOWN_LENGTH} (the plaintext length is the length before
   * compression; the codec's own checks and the caller's decoding check the rest).
   */
  public long storedPayloadLength() {
    return codec == Codecs.NONE_ID ? plaintextLength : UNKNOWN_LENGTH;
  }

  /**
   * Reads and checks the header at the start of {@code in}, leaving {@code in} at the payload. The
   * checks run in the order docs/format.md gives: magic, header version (before the CRC: another
   * version may place its CRC elsewhere), header CRC, known type, codec, encryption.
   *
   * @param object the object's key, named in every message
   * @throws CorruptObjectException when the object is shorter than a header, has another magic, or
   *     its header fails the CRC
   * @throws PermanentException for a header version, type, codec or encryption this reader does not
   *     know (written by a newer Klio, or with a codec whose jar is missing)
   */
  public static ObjectHeader read(String object, InputStream in) throws IOException {
    byte[] start = in.readNBytes(5);
    if (start.length < 5) {
      throw truncated(object, start.length);
    }
    if (ByteBuffer.wrap(start).getInt() != MAGIC) {
      throw new CorruptObjectException("object '" + object + "' is not a Klio object (bad magic)");
    }
    int version = start[4] & 0xFF;
    if (version != VERSION) {
      throw new PermanentException(
          "object '"
              + object
              + "' has header version "
              + version
              + ", which this version of Klio does not know; upgrade Klio to read it");
    }
    byte[] rest = in.readNBytes(SIZE - start.length);
    if (rest.length < SIZE - start.length) {
      throw truncated(object, start.length + rest.length);
    }
    byte[] h = Arrays.copyOf(start, SIZE);
    System.arraycopy(rest, 0, h, start.length, rest.length);
    ByteBuffer b = ByteBuffer.wrap(h, 5, SIZE - 5);
    if (crc(h) != ByteBuffer.wrap(h, CRC_OFFSET, 4).getInt()) {
      throw new CorruptObjectException(
          "the header of object '" + object + "' is corrupted (checksum mismatch)");
    }
    int typeId = b.get() & 0xFF;
    int codec = b.get() & 0xFF;
    int encryption = b.get() & 0xFF;
    ObjectType type =
        ObjectType.byId(typeId)
            .orElseThrow(
                () ->
                    new PermanentException(
                        "object '"
                            + object
                            + "' has object type "
                            + typeId
                            + ", which this version of Klio does not know; upgrade Klio to read"
                            + " it"));
    if (!Codecs.isKnown(codec)) {
      throw new PermanentException(
          "object '"
              + object
              + "' uses codec "
              + codec
              + ", which no codec on the class path has (known: "
              + Codecs.known()
              + "); upgrade Klio, or add the jar of the codec that wrote it");
    }
    if (encryption != ENCRYPTION_NONE && encryption != ENCRYPTION_AES256_GCM_HKDF_1MB) {
      throw new PermanentException(
          "object '"
              + object
              + "' uses encryption "
              + encryption
              + ", which this version of Klio does not know; upgrade Klio to read it");
    }
    return new ObjectHeader(type, codec, encryption, b.getInt(), b.getLong());
  }

  private static CorruptObjectException truncated(String object, int length) {
    return new CorruptObjectException(
        "object '" + object + "' is truncated: " + length + " bytes, shorter than its header");
  }

  private static int crc(byte[] header) {
    CRC32C crc = new CRC32C();
    crc.update(header, 0, CRC_OFFSET);
    return (int) crc.getValue();
  }
}
