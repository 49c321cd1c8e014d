package io.klio.crypto;

import io.klio.api.ChunkHasher;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA-256 chunk ids with a key derived (HKDF-SHA-256) from the ring's chunk-id secret. */
final class KeyedChunkHasher implements ChunkHasher {

  private final ChunkHasher hmac;

  KeyedChunkHasher(byte[] secret) {
    this.hmac = ChunkHasher.hmacSha256(key(secret));
  }

  /** The HMAC key of the chunk ids made from {@code secret}. */
  static byte[] key(byte[] secret) {
    return hkdf(secret, "klio chunk ids v1".getBytes(StandardCharsets.UTF_8));
  }

  /** HKDF (RFC 5869) with an all-zero salt, one output block. */
  static byte[] hkdf(byte[] ikm, byte[] info) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      byte[] prk = m.doFinal(ikm);
      m.init(new SecretKeySpec(prk, "HmacSHA256"));
      m.update(info);
      m.update((byte) 1);
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String name() {
    return hmac.name();
  }

  @Override
  public byte[] hash(byte[] data, int offset, int length) {
    return hmac.hash(data, offset, length);
  }

  @Override
  public String toString() {
    return "KeyedChunkHasher[hmac-sha256]";
  }
}
