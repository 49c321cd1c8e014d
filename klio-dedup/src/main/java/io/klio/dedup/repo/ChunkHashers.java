package io.klio.dedup.repo;

import io.klio.api.ChunkHasher;

/**
 * Chunk hashers by the algorithm name a repository stores ({@code chunk-id=} in its config, {@code
 * chunk_id_algorithm} in the backup API) and the key that goes with it. A backup client builds its
 * hasher from what the server sends, so that its ids are the repository's.
 */
public final class ChunkHashers {

  private ChunkHashers() {}

  /**
   * {@code sha256} (no key: {@code key} must be empty) or {@code hmac-sha256} with a 32-byte key
   * (the key itself, already derived from the key ring's chunk-id secret; see docs/format.md).
   *
   * @throws IllegalArgumentException for an unknown algorithm or a key of the wrong length, naming
   *     them
   */
  public static ChunkHasher of(String algorithm, byte[] key) {
    switch (algorithm) {
      case "sha256" -> {
        if (key.length != 0) {
          throw new IllegalArgumentException(
              "chunk id algorithm sha256 takes no key, but a key of "
                  + key.length
                  + " bytes was given");
        }
        return Sha256ChunkHasher.INSTANCE;
      }
      case "hmac-sha256" -> {
        return ChunkHasher.hmacSha256(key);
      }
      default ->
          throw new IllegalArgumentException(
              "unknown chunk id algorithm '"
                  + algorithm
                  + "' (written by a newer Klio? known: sha256, hmac-sha256)");
    }
  }
}
