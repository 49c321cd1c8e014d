package io.klio.walstream;

import io.klio.api.Lsn;
import io.klio.walstream.protocol.ReplicationMessage;
import io.klio.walstream.protocol.ReplicationMessage.StandbyStatusUpdate;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that sends standby status updates: write = received, flush = what the sink has made
 * durable (never more), apply = invalid. It sends at once when the server asks or when the durable
 * position advanced, and at least every status interval.
 */
final class Feedback implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(Feedback.class);

  private final ReplicationStream stream;
  private final Supplier<Lsn> received;
  private final Supplier<Lsn> durable;
  private final long intervalNanos;
  private final Object lock = new Object();
  private boolean replyRequested;
  private boolean durableAdvanced;
  private boolean stopped;
  private volatile IOException failure;
  private Lsn lastWrite = Lsn.INVALID; // guarded by sendLock
  private Lsn lastFlush = Lsn.INVALID;
  private final Object sendLock = new Object();
  private boolean closed; // guarded by sendLock

  Feedback(
      ReplicationStream stream, Supplier<Lsn> received, Supplier<Lsn> durable, Duration interval) {
    this.stream = stream;
    this.received = received;
    this.durable = durable;
    this.intervalNanos = interval.toNanos();
  }

  /** The server asked for a reply. */
  void requestReply() {
    synchronized (lock) {
      replyRequested = true;
      lock.notifyAll();
    }
  }

  /** The sink made more WAL durable. */
  void durableAdvanced() {
    synchronized (lock) {
      durableAdvanced = true;
      lock.notifyAll();
    }
  }

  /**
   * Reports the durable position now, from the caller's thread (synchronous mode: right after the
   * sink's flush, without waking the feedback thread first).
   */
  void sendNow() throws IOException {
    sendStatus(false, false);
  }

  /**
   * {@link #sendNow()} from a thread of the sink's (synchronous mode: the flush just completed); a
   * failure is kept for the receiver, which checks {@link #failure()} after every message.
   */
  void sendNowQuietly() {
    try {
      sendNow();
    } catch (IOException e) {
      failure = e;
    }
  }

  /** Stops the thread; once this returns no status update is sent any more, from any thread. */
  void stop() {
    synchronized (lock) {
      stopped = true;
      lock.notifyAll();
    }
    synchronized (sendLock) {
      closed = true;
    }
  }

  IOException failure() {
    return failure;
  }

  @Override
  public void run() {
    long next = System.nanoTime() + intervalNanos;
    try {
      sendStatus(false, true);
      while (true) {
        boolean force;
        synchronized (lock) {
          while (!stopped
              && !replyRequested
              && !durableAdvanced
              && (intervalNanos == 0 || System.nanoTime() < next)) {
            long waitNanos = intervalNanos == 0 ? 0 : Math.max(1, next - System.nanoTime());
            if (waitNanos == 0) {
              lock.wait();
            } else {
              lock.wait(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            }
          }
          if (stopped) {
            return;
          }
          force = replyRequested || !durableAdvanced; // a reply, or the interval
          replyRequested = false;
          durableAdvanced = false;
        }
        sendStatus(false, force);
        next = System.nanoTime() + intervalNanos;
      }
    } catch (IOException e) {
      failure = e;
      LOG.warn("could not send a status update: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends a status update; unless {@code force}, only when it says something new. */
  private void sendStatus(boolean requestReply, boolean force) throws IOException {
    synchronized (sendLock) {
      if (closed) {
        return; // the stream ended: the connection may carry the next one already
      }
      Lsn write = received.get();
      // never claim more than the sink made durable, nor more than was received on this stream
      Lsn flush = Lsn.min(durable.get(), write);
      if (!force && write.equals(lastWrite) && flush.equals(lastFlush)) {
        return;
      }
      stream.sendStatus(
          new StandbyStatusUpdate(
              write, flush, Lsn.INVALID, ReplicationMessage.nowMicros(), requestReply));
      lastWrite = write;
      lastFlush = flush;
      LOG.debug("status: write {} flush {}", write, flush);
    }
  }
}
