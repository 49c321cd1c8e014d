package io.klio.storage.s3;

import java.io.InterruptedIOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * The store's upload memory: at most {@code count} buffers of {@code size} bytes, made when first
 * needed and reused. Every put holds one while it reads its object's first part; a multipart put
 * takes more only when one is free ({@link #tryAcquire}) and otherwise reuses its own once a part
 * has gone up, so puts never wait on one another for more than their first buffer and cannot
 * deadlock. Thread-safe.
 */
final class PartBuffers {

  private final int size;
  private final Semaphore permits;
  private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();

  PartBuffers(int size, int count) {
    this.size = size;
    this.permits = new Semaphore(count, true);
  }

  int size() {
    return size;
  }

  /** Waits for a buffer. */
  byte[] acquire() throws InterruptedIOException {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for an upload buffer");
    }
    return take();
  }

  /** A buffer if one is free now, else null. */
  byte[] tryAcquire() {
    return permits.tryAcquire() ? take() : null;
  }

  void release(byte[] buffer) {
    free.add(buffer);
    permits.release();
  }

  private byte[] take() {
    byte[] b = free.poll();
    return b != null ? b : new byte[size];
  }
}
