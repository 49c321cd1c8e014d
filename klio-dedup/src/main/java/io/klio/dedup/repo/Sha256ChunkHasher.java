package io.klio.dedup.repo;

import io.klio.api.ChunkHasher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Plain SHA-256 chunk ids, the default of an unencrypted repository. Thread-safe. */
public final class Sha256ChunkHasher implements ChunkHasher {

  public static final Sha256ChunkHasher INSTANCE = new Sha256ChunkHasher();

  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("this JDK has no SHA-256", e);
            }
          });

  private Sha256ChunkHasher() {}

  @Override
  public String name() {
    return "sha256";
  }

  @Override
  public byte[] hash(byte[] data, int offset, int length) {
    MessageDigest d = DIGEST.get();
    d.update(data, offset, length);
    return d.digest();
  }
}
