package io.klio.api;

/**
 * Computes chunk ids: SHA-256 of the plaintext in an unencrypted repository, HMAC-SHA-256 with a
 * key derived from the repository's secret in an encrypted one (so ids reveal nothing about the
 * content to someone without the key). klio-crypto supplies the keyed one; klio-dedup uses
 * whichever the repository's config names. Implementations are thread-safe.
 */
public interface ChunkHasher {

  /** The algorithm's name as stored in the repository config, such as {@code hmac-sha256}. */
  String name();

  /** The 32-byte id of {@code data[offset, offset + length)}. */
  byte[] hash(byte[] data, int offset, int length);
}
