package io.klio.testkit.io;

import io.klio.api.io.BulkInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * A reproducible stream of pseudo-random bytes of a given size that computes its own SHA-256 as it
 * is read: large test objects without holding them in memory.
 */
public final class PatternStream extends BulkInputStream {

  private final long size;
  private final Random random;
  private final MessageDigest digest;
  private final byte[] block = new byte[1 << 16];
  private int blockPos = block.length;
  private long pos;

  public PatternStream(long size, long seed) {
    this.size = size;
    this.random = new Random(seed);
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (pos >= size) {
      return -1;
    }
    if (blockPos == block.length) {
      random.nextBytes(block);
      blockPos = 0;
    }
    int n = (int) Math.min(Math.min(len, block.length - blockPos), size - pos);
    System.arraycopy(block, blockPos, b, off, n);
    digest.update(block, blockPos, n);
    blockPos += n;
    pos += n;
    return n;
  }

  /** The SHA-256 of everything read so far (call once, at the end). */
  public byte[] digest() {
    return digest.digest();
  }
}
