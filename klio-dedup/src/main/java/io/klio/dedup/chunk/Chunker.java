package io.klio.dedup.chunk;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream into chunks. Memory is bounded by the maximum chunk size, whatever the stream's
 * length. A chunker's name and parameters are stored in the repository config and never change
 * meaning: the same bytes always give the same boundaries. Implementations are immutable and
 * thread-safe; each {@link #split} call is independent.
 */
public interface Chunker {

  /** Receives each chunk; the bytes are valid only during the call. */
  @FunctionalInterface
  interface ChunkConsumer {
    void accept(byte[] buffer, int offset, int length) throws IOException;
  }

  /**
   * The name and parameters as stored, such as {@code fastcdc(min=262144,avg=1048576,max=4194304)}.
   */
  String describe();

  /** Reads {@code in} to its end, handing each chunk to {@code consumer} in order. */
  void split(InputStream in, ChunkConsumer consumer) throws IOException;

  /** The largest chunk this chunker makes, in bytes. */
  int maxChunkSize();

  /**
   * The length of the chunk that starts at {@code b[start]}, for callers that keep the stream in a
   * buffer of their own (no copy, no allocation). {@code b[start, end)} must hold either the rest
   * of the stream or at least {@link #maxChunkSize()} bytes of it; cutting a stream this way, chunk
   * after chunk, gives exactly the boundaries of {@link #split}.
   *
   * @return a length from 1 to {@code min(end - start, maxChunkSize())}; 0 only when {@code start
   *     == end}
   */
  int nextChunk(byte[] b, int start, int end);
}
