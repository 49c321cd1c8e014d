package io.klio.crypto;

import io.klio.api.ChunkHasher;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA-256 chunk ids with a key derived (HKDF-SHA-256) from the ring's chunk-id secret. */
final class KeyedChunkHasher implements ChunkHasher {

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> mac;

  KeyedChunkHasher(byte[] secret) {
    this.key = new SecretKeySpec(derivedKey(secret), "HmacSHA256");
    this.mac =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  /** The HMAC key derived from the ring's chunk-id secret. */
  static byte[] derivedKey(byte[] secret) {
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
    return "hmac-sha256";
  }

  @Override
  public byte[] hash(byte[] data, int offset, int length) {
    Mac m = mac.get();
    m.update(data, offset, length);
    return m.doFinal();
  }

  @Override
  public String toString() {
    return "KeyedChunkHasher[hmac-sha256]";
  }
}
