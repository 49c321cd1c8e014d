package io.klio.api.format;

import io.klio.api.error.PermanentException;

/**
 * Compresses and decompresses one chunk or object payload in memory. Made by a {@link
 * CodecProvider}; found through {@link Codecs}. Implementations are immutable and thread-safe:
 * {@link Codecs} hands one instance to every thread. Their names, ids and encodings are part of the
 * repository format (docs/format.md, "Chunkers and codecs") and never change meaning.
 */
public interface Codec {

  /** The name stored in the repository config, such as {@code zstd}: its provider's name. */
  String name();

  /**
   * The codec byte written into object headers and pack records: its provider's {@link
   * CodecProvider#id()}.
   */
  int id();

  /** The encoded form of {@code data[offset, offset + length)}. Never fails for valid bounds. */
  byte[] encode(byte[] data, int offset, int length);

  /**
   * Decodes what {@link #encode} produced (by this codec with any parameter); {@code
   * originalLength} is the length of the data before encoding, as recorded by the writer.
   *
   * @throws PermanentException when the input is corrupted, naming the codec (never returns wrong
   *     bytes, except for {@code none}, which has nothing to check: the chunk id or the object's
   *     trailer does that)
   */
  byte[] decode(byte[] encoded, int originalLength) throws PermanentException;
}
