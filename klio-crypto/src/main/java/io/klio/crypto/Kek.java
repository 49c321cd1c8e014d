package io.klio.crypto;

import java.io.IOException;

/**
 * The user's key-encryption key: it wraps the repository's key ring and nothing else, so rotating
 * it rewrites one small object. Implementations never reveal key material: not in {@link
 * #describe()}, not in {@code toString()}, not in exception messages. Thread-safe.
 */
public interface Kek {

  /** Where the key comes from, for messages ("key file /etc/klio/kek"); never the key. */
  String describe();

  /** Encrypts {@code plaintext} bound to {@code associatedData}; the result names its scheme. */
  byte[] wrap(byte[] plaintext, byte[] associatedData) throws IOException;

  /**
   * Decrypts what {@link #wrap} produced.
   *
   * @throws WrongKeyException when this key (or this kind of key) did not wrap it, or it was
   *     altered
   */
  byte[] unwrap(byte[] wrapped, byte[] associatedData) throws IOException;
}
