package io.klio.dedup.codec;

import io.klio.api.error.PermanentException;

/**
 * Compresses and decompresses one chunk in memory. Implementations are immutable and thread-safe;
 * their names and encodings are part of the repository format (docs/format.md) and never change
 * meaning.
 */
public interface Codec {

  /** The name stored in the repository config, such as {@code zstd}. */
  String name();

  /** The codec byte of the object header: 0 none, 1 zstd, 2 lz4. */
  int id();

  /** The encoded form of {@code data[offset, offset + length)}. */
  byte[] encode(byte[] data, int offset, int length);

  /**
   * Decodes what {@link #encode} produced; {@code originalLength} is the chunk's length as recorded
   * in the index.
   *
   * @throws PermanentException when the input is corrupted (never returns wrong bytes, except for
   *     {@code none}, which has nothing to check: the chunk id does that)
   */
  byte[] decode(byte[] encoded, int originalLength) throws PermanentException;
}
