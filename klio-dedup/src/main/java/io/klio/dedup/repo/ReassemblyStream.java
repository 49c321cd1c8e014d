package io.klio.dedup.repo;

import io.klio.api.io.BulkInputStream;
import java.io.IOException;
import java.util.List;

/** A file reassembled from its chunk list, one chunk in memory at a time. */
final class ReassemblyStream extends BulkInputStream {

  private final ChunkRepository repo;
  private final List<ChunkId> ids;
  private int next;
  private byte[] current = new byte[0];
  private int pos;
  private boolean closed;

  ReassemblyStream(ChunkRepository repo, List<ChunkId> ids) {
    this.repo = repo;
    this.ids = ids;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream is closed");
    }
    if (len == 0) {
      return 0;
    }
    while (pos == current.length) {
      if (next == ids.size()) {
        return -1;
      }
      current = repo.read(ids.get(next++));
      pos = 0;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return current.length - pos;
  }

  @Override
  public void close() {
    closed = true;
    current = new byte[0];
  }
}
