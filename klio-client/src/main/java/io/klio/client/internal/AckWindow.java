package io.klio.client.internal;

import io.grpc.stub.StreamObserver;
import io.klio.api.Lsn;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.FlushRequest;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.api.grpc.v1.WalData;
import io.klio.client.wire.StatusMapping;
import io.klio.walstream.WalSink.DurabilityListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The open WAL stream between the sink and the server: what was sent, what the server has
 * acknowledged, and how long it may take.
 *
 * <ul>
 *   <li>Synchronous batching: in synchronous mode a piece of WAL is held until what follows it, so
 *       that the batch's last data and its flush request travel as one message.
 *   <li>Flush requests carry a sequence; an acknowledgement answers every request up to its {@code
 *       flush_sequence} and says where WAL is durable ({@link #durable()}), which the {@link
 *       DurabilityListener} hears of from the thread that read it.
 *   <li>Time-outs: a flush waited for, a flush request not waited for, and a transport that accepts
 *       no message all fail the stream (retryably) after the acknowledgement timeout.
 * </ul>
 *
 * <p><b>Threading.</b> The sink's thread (the receiver's) calls everything but {@link Acks}, which
 * the transport's thread calls; one lock guards the state both share, and a blocking transport (the
 * WAL socket) is written outside it, so acknowledgements are taken meanwhile. <b>Lifecycle.</b>
 * {@link #open} per stream, {@link #attach} its transport, {@link #close} at its end; answers to an
 * earlier stream are ignored once a newer one is open.
 */
final class AckWindow {

  private final Duration timeout;
  private final boolean synchronous;
  private final Runnable onStreamFailure;
  private final Object lock = new Object();
  private WalTransport transport; // the open stream's way to the server
  private Acks current; // the open stream's acknowledgement observer
  private DurabilityListener listener = lsn -> {};
  private volatile Lsn durable = Lsn.INVALID;
  private long ackedSequence;
  private long sequence;
  private long waitingSince; // nanoTime: acknowledgements owed since then, 0 when none
  private Throwable failure;
  private boolean ended;
  private WalData.Builder pending; // synchronous mode: data waiting for its flush; sink thread only

  /**
   * @param onStreamFailure called (from the transport's thread) when the stream fails or ends
   */
  AckWindow(Duration timeout, boolean synchronous, Runnable onStreamFailure) {
    this.timeout = timeout;
    this.synchronous = synchronous;
    this.onStreamFailure = onStreamFailure;
  }

  /** Starts a new stream whose answers go to the observer returned; they reach {@code l}. */
  Acks open(DurabilityListener l) {
    synchronized (lock) {
      listener = l;
      failure = null;
      ended = false;
      sequence = 0;
      ackedSequence = 0;
      waitingSince = 0;
      current = new Acks();
      return current;
    }
  }

  /** The transport of the stream {@code acks} observes. */
  void attach(Acks acks, WalTransport t) {
    synchronized (lock) {
      if (current == acks) {
        transport = t;
      }
    }
  }

  /** WAL: in synchronous mode held for the flush request that follows it, otherwise sent. */
  void data(WalData.Builder d) throws IOException {
    sendPending();
    if (synchronous) {
      pending = d;
    } else {
      transmit(StreamRequest.newBuilder().setData(d).build());
    }
  }

  /** Any other message; WAL held for a flush request goes first. */
  void send(StreamRequest m) throws IOException {
    sendPending();
    transmit(m);
  }

  private void sendPending() throws IOException {
    if (pending != null) {
      WalData.Builder d = pending;
      pending = null;
      transmit(StreamRequest.newBuilder().setData(d).build());
    }
  }

  /**
   * Asks the server to fsync what was sent, without waiting: the held WAL with the request, or the
   * request alone. Fails when an earlier request has waited longer than the timeout.
   *
   * @return the request's sequence, for {@link #awaitAcknowledged}
   */
  long requestFlush() throws IOException {
    long seq;
    synchronized (lock) {
      if (waitingSince != 0 && System.nanoTime() - waitingSince > timeout.toNanos()) {
        throw overdue();
      }
      seq = ++sequence;
      if (waitingSince == 0) {
        waitingSince = System.nanoTime();
      }
    }
    if (pending != null) {
      WalData.Builder d = pending.setFlushSequence(seq);
      pending = null;
      transmit(StreamRequest.newBuilder().setData(d).build());
    } else {
      transmit(
          StreamRequest.newBuilder().setFlush(FlushRequest.newBuilder().setSequence(seq)).build());
    }
    return seq;
  }

  /** Waits until the server has answered flush request {@code seq}. */
  void awaitAcknowledged(long seq) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (ackedSequence < seq) {
        checkStream();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw overdue();
        }
        waitOn(left);
      }
    }
  }

  private RetryableException overdue() {
    return new RetryableException(
        "the Klio server did not acknowledge a flush within " + timeout.toSeconds() + " s");
  }

  /** Everything before this is durable on the server (across streams). Thread-safe. */
  Lsn durable() {
    return durable;
  }

  /** Whether a stream is open and neither failed nor ended: what it carried can be acknowledged. */
  boolean isOpen() {
    synchronized (lock) {
      return transport != null && failure == null && !ended;
    }
  }

  /** Ends the stream (the server acknowledges what it received); its later answers are ignored. */
  void close() {
    synchronized (lock) {
      if (transport != null && !ended) {
        transport.complete();
      }
      transport = null;
      current = null;
    }
    pending = null;
  }

  private void transmit(StreamRequest m) throws IOException {
    WalTransport t;
    synchronized (lock) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        checkStream();
        if (transport.isReady()) {
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new RetryableException(
              "the Klio server accepted no WAL for " + timeout.toSeconds() + " s");
        }
        waitOn(left);
      }
      t = transport;
      if (!t.blocking()) {
        t.send(m);
        return;
      }
    }
    // the WAL socket: written outside the lock, so that acknowledgements are taken meanwhile
    try {
      t.send(m);
    } catch (IOException e) {
      synchronized (lock) {
        checkStream(); // the server's reason, when it gave one
      }
      throw new RetryableException("the WAL socket to the Klio server failed: " + e, e);
    }
  }

  private void checkStream() throws IOException {
    if (transport == null) {
      throw new IllegalStateException("the sink is not open");
    }
    if (failure != null) {
      throw StatusMapping.toException(failure);
    }
    if (ended) {
      throw new RetryableException("the Klio server ended the WAL stream");
    }
  }

  private void waitOn(long nanos) throws IOException {
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the Klio server");
    }
  }

  /** The server's answers on one stream; those of an earlier stream are ignored. */
  final class Acks implements StreamObserver<StreamResponse> {

    private Acks() {}

    @Override
    public void onNext(StreamResponse ack) {
      Lsn d = Lsn.of(ack.getDurableLsn());
      boolean advanced;
      DurabilityListener l;
      synchronized (lock) {
        if (current != this) {
          return;
        }
        advanced = d.isAfter(durable);
        if (advanced) {
          durable = d;
        }
        if (ack.getFlushSequence() > ackedSequence) {
          ackedSequence = ack.getFlushSequence();
          waitingSince = ackedSequence < sequence ? System.nanoTime() : 0;
        }
        l = listener;
        lock.notifyAll();
      }
      if (advanced) {
        l.durable(d);
      }
    }

    @Override
    public void onError(Throwable t) {
      end(t);
    }

    @Override
    public void onCompleted() {
      end(null);
    }

    private void end(Throwable t) {
      synchronized (lock) {
        if (current != this) {
          return;
        }
        if (t != null) {
          failure = t;
        }
        ended = true;
        lock.notifyAll();
      }
      onStreamFailure.run();
    }

    /** The transport can take a message again. */
    void wake() {
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }
}
