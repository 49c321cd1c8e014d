package io.klio.storage.s3;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's stream of one put, read into part buffers. Its failures become Klio's: a {@link
 * KlioException} stays what it is (a Tier 1 read that failed, say), any other is permanent for this
 * put and names the key and the store. Not thread-safe: one put reads it.
 */
final class Source {

  private final InputStream in;
  private final BlobKey key;
  private final String store;

  Source(InputStream in, BlobKey key, String store) {
    this.in = in;
    this.key = key;
    this.store = store;
  }

  /** Reads until {@code len} bytes are in {@code buf} or the stream ends; returns how many. */
  int fill(byte[] buf, int off, int len) throws IOException {
    int total = 0;
    try {
      while (total < len) {
        int n = in.read(buf, off + total, len - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
    } catch (IOException e) {
      throw failed(e);
    }
    return total;
  }

  /** The next byte, or -1 at the end. */
  int read() throws IOException {
    try {
      return in.read();
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private KlioException failed(IOException e) {
    if (e instanceof KlioException k) {
      return k;
    }
    return new PermanentException(
        "could not read the content to store as '" + key + "' in " + store + ": " + e, e);
  }
}
