package io.klio.dedup.repo;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A chunk's 32-byte id: SHA-256 of its plaintext, or HMAC-SHA-256 in an encrypted repository.
 * Immutable; compares as unsigned bytes, which is the order of repository index files.
 */
public final class ChunkId implements Comparable<ChunkId> {

  /** The length of every id in bytes. */
  public static final int LENGTH = 32;

  private static final HexFormat HEX = HexFormat.of();
  private final byte[] bytes;

  private ChunkId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps a copy of {@code bytes}, which must hold exactly 32 bytes. */
  public static ChunkId of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("a chunk id has 32 bytes, not " + bytes.length);
    }
    return new ChunkId(bytes.clone());
  }

  /** The id stored at {@code buffer[offset, offset + 32)}. */
  public static ChunkId read(byte[] buffer, int offset) {
    return new ChunkId(Arrays.copyOfRange(buffer, offset, offset + LENGTH));
  }

  /** Parses 64 hexadecimal digits. */
  public static ChunkId parse(String hex) {
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          "a chunk id is 64 hexadecimal digits, not '" + hex + "' (" + hex.length() + ")");
    }
    return new ChunkId(HEX.parseHex(hex));
  }

  /** A copy of the id's bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Copies the id into {@code buffer} at {@code offset}. */
  public void writeTo(byte[] buffer, int offset) {
    System.arraycopy(bytes, 0, buffer, offset, LENGTH);
  }

  byte[] bytesUnsafe() {
    return bytes;
  }

  /** The first eight bytes as a long, a well-mixed hash. */
  long prefix() {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[i] & 0xFF);
    }
    return v;
  }

  @Override
  public int compareTo(ChunkId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkId c && Arrays.equals(bytes, c.bytes);
  }

  @Override
  public int hashCode() {
    return (int) (prefix() >>> 32);
  }

  /** 64 lowercase hexadecimal digits. */
  @Override
  public String toString() {
    return HEX.formatHex(bytes);
  }
}
