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

  /**
   * HMAC-SHA-256 ids with {@code key} (kept as a copy), named {@code hmac-sha256}: the keyed ids of
   * an encrypted repository, given the key itself (klio-crypto derives it from the key ring's
   * chunk-id secret; a backup client gets it from the server). Thread-safe.
   *
   * @throws IllegalArgumentException unless the key has 32 bytes
   */
  static ChunkHasher hmacSha256(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException(
          "an hmac-sha256 chunk id key has 32 bytes, not " + key.length);
    }
    return new HmacSha256ChunkHasher(key);
  }
}
