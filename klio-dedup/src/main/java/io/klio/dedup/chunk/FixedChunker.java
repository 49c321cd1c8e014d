package io.klio.dedup.chunk;

import java.io.IOException;
import java.io.InputStream;

/** Fixed-size chunks: for data whose changes align to blocks, and as a baseline. */
public final class FixedChunker implements Chunker {

  private final int size;

  public FixedChunker(int size) {
    if (size < 64 || size > (64 << 20)) {
      throw new IllegalArgumentException(
          "fixed chunk size " + size + " is out of range 64 B - 64 MiB");
    }
    this.size = size;
  }

  @Override
  public void split(InputStream in, ChunkConsumer consumer) throws IOException {
    byte[] buf = new byte[size];
    while (true) {
      int n = in.readNBytes(buf, 0, size);
      if (n == 0) {
        return;
      }
      consumer.accept(buf, 0, n);
      if (n < size) {
        return;
      }
    }
  }

  @Override
  public int maxChunkSize() {
    return size;
  }

  @Override
  public int nextChunk(byte[] b, int start, int end) {
    return Math.min(size, end - start);
  }

  @Override
  public String describe() {
    return "fixed(size=" + size + ")";
  }
}
