package io.klio.server.relay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A bandwidth limit shared by all of the relay's copies: streams wrapped by it are read no faster,
 * together, than the configured bytes per second (a token bucket holding one second's worth).
 * Thread-safe.
 */
final class Throttle {

  private final long bytesPerSecond; // 0: unlimited
  private long available;
  private long refilledAt = System.nanoTime();

  Throttle(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
    this.available = bytesPerSecond;
  }

  InputStream wrap(InputStream in) {
    if (bytesPerSecond == 0) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        take(1);
        return super.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, (int) Math.min(len, Math.max(1, bytesPerSecond / 10)));
        if (n > 0) {
          take(n);
        }
        return n;
      }
    };
  }

  private synchronized void take(long n) throws InterruptedIOException {
    available -= n;
    while (available < 0) {
      long now = System.nanoTime();
      available =
          Math.min(
              bytesPerSecond, available + (now - refilledAt) * bytesPerSecond / 1_000_000_000L);
      refilledAt = now;
      if (available < 0) {
        long waitMs = Math.max(1, -available * 1000 / bytesPerSecond);
        try {
          wait(Math.min(waitMs, 1000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("relay copy interrupted");
        }
      }
    }
  }
}
