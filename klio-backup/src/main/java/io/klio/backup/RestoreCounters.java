package io.klio.backup;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** The running totals of one restore; tells the listener, one call at a time. */
final class RestoreCounters {

  private static final long NOTIFY_NANOS = 50_000_000L;

  private final long bytesTotal;
  private final long filesTotal;
  private final RestoreListener listener;
  private final long startNanos;
  final AtomicLong bytes = new AtomicLong();
  final AtomicLong files = new AtomicLong();
  final AtomicLong chunks = new AtomicLong();
  private long lastNotified = Long.MIN_VALUE;

  RestoreCounters(long bytesTotal, long filesTotal, RestoreListener listener, long startNanos) {
    this.bytesTotal = bytesTotal;
    this.filesTotal = filesTotal;
    this.listener = listener;
    this.startNanos = startNanos;
  }

  /** Counts a chunk written; reports progress when 50 ms passed since the last report. */
  synchronized void chunkWritten(int length) {
    bytes.addAndGet(length);
    chunks.incrementAndGet();
    maybeNotify();
  }

  /** Reports a written file. */
  synchronized void written(WrittenFile f) {
    files.incrementAndGet();
    listener.fileWritten(f);
    maybeNotify();
  }

  private void maybeNotify() {
    long now = System.nanoTime();
    if (lastNotified == Long.MIN_VALUE || now - lastNotified >= NOTIFY_NANOS) {
      lastNotified = now;
      listener.progress(snapshot());
    }
  }

  /**
   * Reports a file written outside the data files ({@code backup_label}, {@code tablespace_map}).
   */
  synchronized void extra(WrittenFile f) {
    listener.fileWritten(f);
  }

  synchronized void notifyFinal() {
    listener.progress(snapshot());
  }

  private RestoreProgress snapshot() {
    return new RestoreProgress(bytesTotal, filesTotal, bytes.get(), files.get());
  }

  RestoreResult result(long directories) {
    return new RestoreResult(
        files.get(),
        directories,
        bytes.get(),
        chunks.get(),
        Duration.ofNanos(System.nanoTime() - startNanos));
  }
}
