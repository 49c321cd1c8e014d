package io.klio.backup.pgmanifest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * The per-file checksum algorithms of a PostgreSQL {@code backup_manifest}, with the names
 * PostgreSQL writes ({@code pg_checksum_type_name}) and the digest lengths it checks.
 */
public enum ChecksumAlgorithm {
  /** No checksum: the file's entry has no {@code Checksum}, and nothing is verified. */
  NONE(0, null),
  /**
   * CRC-32C (Castagnoli), pg_basebackup's default. PostgreSQL stores the 32-bit value in host byte
   * order; on the x86-64 and arm64 hosts we support that is little-endian ({@link
   * Checksum#crc32c(long)}).
   */
  CRC32C(4, null),
  SHA224(28, "SHA-224"),
  SHA256(32, "SHA-256"),
  SHA384(48, "SHA-384"),
  SHA512(64, "SHA-512");

  private final int length;
  private final String jcaName;

  ChecksumAlgorithm(int length, String jcaName) {
    this.length = length;
    this.jcaName = jcaName;
  }

  /** The digest length in bytes (0 for {@link #NONE}). */
  public int length() {
    return length;
  }

  /** The name in a manifest's {@code Checksum-Algorithm} field, upper case as PostgreSQL writes. */
  public String manifestName() {
    return name();
  }

  /**
   * The algorithm a manifest names, matched without regard to case as PostgreSQL's {@code
   * pg_checksum_parse_type} does; empty when the name is unknown.
   */
  public static Optional<ChecksumAlgorithm> parse(String name) {
    for (ChecksumAlgorithm a : values()) {
      if (a.name().equals(name.toUpperCase(Locale.ROOT))) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** A new JCA digest for a SHA-2 algorithm. */
  MessageDigest newDigest() {
    if (jcaName == null) {
      throw new IllegalStateException(this + " is not a message digest");
    }
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no " + jcaName, e);
    }
  }
}
