package io.klio.crypto;

import java.io.IOException;

/**
 * The user's key-encryption key: it wraps the repository's key ring and nothing else, so rotating
 * it rewrites one small object. Implementations never reveal key material: not in {@link
 * #describe()}, not in {@code toString()}, not in exception messages.
 *
 * <p><b>Threading.</b> Thread-safe: {@link KeyRingStore} calls it on whichever thread loads,
 * creates or rotates a ring (the server once at start-up, {@code klio keys} once per command).
 *
 * <p><b>Errors.</b> Klio does not retry a KEK operation: a failure ends the server's start or the
 * {@code klio keys} command with its message, and nothing is written. So the message names the
 * key's source ({@link #describe()}) and what to do. A failure that may pass ({@link
 * io.klio.api.error.RetryableException}: a KMS that did not answer, throttling) tells the person or
 * supervisor that starting again can succeed; any other ({@link
 * io.klio.api.error.PermanentException}: a refused credential, a disabled key) needs a person.
 */
public interface Kek {

  /** Where the key comes from, for messages ("key file /etc/klio/kek"); never the key. */
  String describe();

  /**
   * Encrypts {@code plaintext} (a serialized key ring, a few KiB) bound to {@code associatedData}
   * (the key ring object's header): {@link #unwrap} with other associated data must fail. The
   * result starts with a byte naming the scheme that wrapped it (docs/format.md, "Key ring"), so
   * that another kind of key can refuse it clearly.
   *
   * @throws io.klio.api.error.RetryableException when the key's service did not answer or
   *     throttled; calling again later may succeed
   * @throws io.klio.api.error.PermanentException when the key cannot wrap (refused credentials, a
   *     key disabled or not allowed to encrypt), naming {@link #describe()}
   */
  byte[] wrap(byte[] plaintext, byte[] associatedData) throws IOException;

  /**
   * Decrypts what {@link #wrap} produced with the same associated data.
   *
   * @throws WrongKeyException when this key (or this kind of key) did not wrap it, or it was
   *     altered
   * @throws io.klio.api.error.RetryableException when the key's service did not answer
   * @throws io.klio.api.error.PermanentException for other failures of the key itself, naming
   *     {@link #describe()}
   */
  byte[] unwrap(byte[] wrapped, byte[] associatedData) throws IOException;
}
