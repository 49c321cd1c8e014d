package io.klio.api.format;

import java.io.InputStream;

/**
 * Unencrypted repository objects (docs/format.md, "Common object header"): the header, the
 * (compressed) payload, then an 8-byte trailer, the payload's stored length (or {@code FFFFFFFF}
 * from 4 GiB on) and its CRC-32C. What a reader or writer of an unencrypted repository needs
 * without klio-crypto; {@code io.klio.crypto.SealedObjects} adds encryption and delegates here for
 * unencrypted objects. Stateless and thread-safe; each stream it returns is for one thread, and
 * memory stays bounded whatever the object's size.
 */
public final class PlainObjects {

  private PlainObjects() {}

  /**
   * The bytes of an unencrypted object, to hand to {@code BlobStore.put}: the header (encryption
   * none, key id 0), then the payload read from {@code payload} as the returned stream is read,
   * then the trailer.
   *
   * @param codec the codec byte the payload is encoded with
   * @param plaintextLength the payload's length before compression, or {@link
   *     ObjectHeader#UNKNOWN_LENGTH}
   * @throws IllegalArgumentException for a codec {@link Codecs} does not know
   */
  public static InputStream seal(
      ObjectType type, int codec, long plaintextLength, InputStream payload) {
    ObjectHeader h =
        new ObjectHeader(type, codec, ObjectHeader.ENCRYPTION_NONE, 0, plaintextLength);
    return new PlainSealer(h.encode(), payload);
  }

  /**
   * The payload of the unencrypted object {@code object}, whose header {@link ObjectHeader#read}
   * just read from {@code rest}. The returned stream holds back the trailer and checks it (and the
   * header's length when the codec is none) when the end is read: a damaged or truncated payload
   * fails with a {@link CorruptObjectException} naming the object, at the latest at the end.
   * Closing it closes {@code rest}.
   *
   * @throws IllegalArgumentException when the header says the object is encrypted
   */
  public static InputStream payload(String object, ObjectHeader header, InputStream rest) {
    if (header.encryption() != ObjectHeader.ENCRYPTION_NONE) {
      throw new IllegalArgumentException("object '" + object + "' is encrypted");
    }
    return new PlainOpener(object, rest, header.storedPayloadLength());
  }
}
