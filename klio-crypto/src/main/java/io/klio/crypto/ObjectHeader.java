package io.klio.crypto;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The 24-byte header every repository object starts with (docs/format.md): magic {@code KLIO},
 * header version, object type, codec, encryption, data key id, plaintext length, CRC-32C.
 */
public record ObjectHeader(int type, int codec, int encryption, int keyId, long plaintextLength) {

  public static final int SIZE = 24;
  public static final int VERSION = 1;
  public static final int MAX_TYPE = 8;
  public static final int MAX_CODEC = 2;
  public static final int ENCRYPTION_NONE = 0;
  public static final int ENCRYPTION_AES256_GCM_HKDF_1MB = 1;

  /** Plaintext length when it is not known in advance. */
  public static final long UNKNOWN_LENGTH = -1L;

  private static final int MAGIC = 0x4B4C494F; // "KLIO"

  byte[] encode() {
    ByteBuffer b =
        ByteBuffer.allocate(SIZE)
            .putInt(MAGIC)
            .put((byte) VERSION)
            .put((byte) type)
            .put((byte) codec)
            .put((byte) encryption)
            .putInt(keyId)
            .putLong(plaintextLength);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 20);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Reads and checks the header of the object {@code key}. */
  static ObjectHeader read(BlobKey key, InputStream in) throws IOException {
    byte[] h = in.readNBytes(SIZE);
    if (h.length < SIZE) {
      throw new CorruptObjectException(
          "object '" + key + "' is truncated: " + h.length + " bytes, shorter than its header");
    }
    ByteBuffer b = ByteBuffer.wrap(h);
    if (b.getInt() != MAGIC) {
      throw new CorruptObjectException("object '" + key + "' is not a Klio object (bad magic)");
    }
    CRC32C crc = new CRC32C();
    crc.update(h, 0, 20);
    if ((int) crc.getValue() != ByteBuffer.wrap(h, 20, 4).getInt()) {
      throw new CorruptObjectException(
          "the header of object '" + key + "' is corrupted (checksum mismatch)");
    }
    int version = b.get() & 0xFF;
    if (version != VERSION) {
      throw new PermanentException(
          "object '"
              + key
              + "' has header version "
              + version
              + ", which this version of Klio does not know; upgrade Klio to read it");
    }
    int type = b.get() & 0xFF;
    int codec = b.get() & 0xFF;
    int encryption = b.get() & 0xFF;
    if (type < 1 || type > MAX_TYPE || codec > MAX_CODEC || encryption > 1) {
      throw new PermanentException(
          "object '"
              + key
              + "' uses an unknown type, codec or encryption ("
              + type
              + "/"
              + codec
              + "/"
              + encryption
              + "); upgrade Klio to read it");
    }
    return new ObjectHeader(type, codec, encryption, b.getInt(), b.getLong());
  }
}
