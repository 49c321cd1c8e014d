package io.klio.backup;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/** The running totals of one backup, updated by every worker; reports them to the listener. */
final class BackupCounters {

  private static final long NOTIFY_NANOS = 50_000_000L;

  private final long bytesTotal;
  private final long filesTotal;
  private final BackupProgressListener listener;
  private final long startNanos;
  final AtomicLong bytesRead = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong newBytes = new AtomicLong();
  final AtomicLong files = new AtomicLong();
  final AtomicLong directories = new AtomicLong();
  final AtomicLong dataBytes = new AtomicLong();
  final AtomicLong chunks = new AtomicLong();
  final AtomicLong chunksNew = new AtomicLong();
  final AtomicLong chunksKnown = new AtomicLong();
  final AtomicLong vanished = new AtomicLong();
  private final AtomicLong lastNotified = new AtomicLong(Long.MIN_VALUE);
  private final ReentrantLock notifying = new ReentrantLock();

  BackupCounters(
      long bytesTotal, long filesTotal, BackupProgressListener listener, long startNanos) {
    this.bytesTotal = bytesTotal;
    this.filesTotal = filesTotal;
    this.listener = listener;
    this.startNanos = startNanos;
  }

  BackupProgress snapshot() {
    return new BackupProgress(
        bytesTotal,
        filesTotal,
        bytesRead.get(),
        bytesSent.get(),
        files.get(),
        chunksNew.get(),
        chunksKnown.get());
  }

  /** Tells the listener, unless it heard within the last 50 ms or another thread is telling it. */
  void maybeNotify() {
    long now = System.nanoTime();
    long last = lastNotified.get();
    if (now - last < NOTIFY_NANOS && last != Long.MIN_VALUE) {
      return;
    }
    if (lastNotified.compareAndSet(last, now) && notifying.tryLock()) {
      try {
        listener.progress(snapshot());
      } finally {
        notifying.unlock();
      }
    }
  }

  /** Tells the listener where the backup ended. */
  void notifyFinal() {
    notifying.lock();
    try {
      listener.progress(snapshot());
    } finally {
      notifying.unlock();
    }
  }

  BackupResult result() {
    return new BackupResult(
        files.get(),
        directories.get(),
        dataBytes.get(),
        chunks.get(),
        chunksNew.get(),
        newBytes.get(),
        bytesSent.get(),
        vanished.get(),
        Duration.ofNanos(System.nanoTime() - startNanos));
  }
}
