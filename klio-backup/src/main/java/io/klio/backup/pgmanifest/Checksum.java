package io.klio.backup.pgmanifest;

import java.util.Arrays;
import java.util.Objects;

/**
 * The checksum of one file as a {@code backup_manifest} records it: an algorithm and its digest
 * bytes. Immutable.
 */
public final class Checksum {

  private static final Checksum NONE = new Checksum(ChecksumAlgorithm.NONE, new byte[0]);

  private final ChecksumAlgorithm algorithm;
  private final byte[] bytes;

  private Checksum(ChecksumAlgorithm algorithm, byte[] bytes) {
    this.algorithm = algorithm;
    this.bytes = bytes;
  }

  /**
   * "No checksum": the manifest entry gets no {@code Checksum-Algorithm} and no {@code Checksum}.
   */
  public static Checksum none() {
    return NONE;
  }

  /**
   * A digest of {@code algorithm}.
   *
   * @throws IllegalArgumentException when the length is not the algorithm's
   */
  public static Checksum of(ChecksumAlgorithm algorithm, byte[] bytes) {
    Objects.requireNonNull(algorithm, "algorithm");
    if (algorithm == ChecksumAlgorithm.NONE) {
      if (bytes.length != 0) {
        throw new IllegalArgumentException("the NONE algorithm has no checksum bytes");
      }
      return NONE;
    }
    if (bytes.length != algorithm.length()) {
      throw new IllegalArgumentException(
          "a " + algorithm + " checksum has " + algorithm.length() + " bytes, not " + bytes.length);
    }
    return new Checksum(algorithm, bytes.clone());
  }

  /**
   * A CRC-32C checksum from its value (the low 32 bits of {@code crc32cValue}, as {@link
   * java.util.zip.CRC32C#getValue()} returns it). PostgreSQL copies the 32-bit value to the
   * manifest in host byte order, so on little-endian hosts the bytes, and the hex, are
   * little-endian: the value {@code 0x2247748a} is written {@code "8a744722"}.
   */
  public static Checksum crc32c(long crc32cValue) {
    int v = (int) crc32cValue;
    return new Checksum(
        ChecksumAlgorithm.CRC32C,
        new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
  }

  /** The manifest's hex form of a CRC-32C value: {@code crc32c(value).hex()}. */
  public static String crc32cHex(long crc32cValue) {
    return crc32c(crc32cValue).hex();
  }

  /**
   * Parses the hex of a manifest's {@code Checksum} field.
   *
   * @throws IllegalArgumentException naming the text when it is not hex of the algorithm's length
   */
  public static Checksum parseHex(ChecksumAlgorithm algorithm, String hex) {
    byte[] b = Hex.decode(hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    if (b == null) {
      throw new IllegalArgumentException("not a hexadecimal checksum: '" + hex + "'");
    }
    return of(algorithm, b);
  }

  public ChecksumAlgorithm algorithm() {
    return algorithm;
  }

  /** A copy of the digest bytes (empty for {@link #none()}). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Lower-case hex of the digest bytes, as the manifest writes it (empty for {@link #none()}). */
  public String hex() {
    return Hex.encode(bytes);
  }

  byte[] rawBytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checksum c && c.algorithm == algorithm && Arrays.equals(c.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return algorithm.hashCode() * 31 + Arrays.hashCode(bytes);
  }

  /** {@code CRC32C:8a744722}, or {@code NONE}. */
  @Override
  public String toString() {
    return algorithm == ChecksumAlgorithm.NONE ? "NONE" : algorithm + ":" + hex();
  }
}
