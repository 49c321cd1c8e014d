package io.klio.api;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA-256 chunk ids with a given key; see {@link ChunkHasher#hmacSha256}. */
final class HmacSha256ChunkHasher implements ChunkHasher {

  private final ThreadLocal<Mac> mac;

  HmacSha256ChunkHasher(byte[] key) {
    SecretKeySpec spec = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.mac =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(spec);
                return m;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK has no HmacSHA256", e);
              }
            });
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
    return "ChunkHasher[hmac-sha256]";
  }
}
