package io.klio.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.klio.api.error.RetryableException;
import io.klio.client.wire.StatusMapping;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * A bidirectional gRPC call driven by one thread in blocking style, with flow control both ways:
 * {@link #send} waits while the transport's buffer is full, and responses are requested {@code
 * window} at a time, only as {@link #take} consumes them, so neither side's memory grows with the
 * data. Failures come out of {@link #send} and {@link #take} as Klio's exceptions ({@link
 * StatusMapping#toException}). Not thread-safe: one thread sends and takes; {@link #cancel} may be
 * called from any thread.
 */
final class BlockingStream<Q, R> implements ClientResponseObserver<Q, R> {

  private static final Object END = new Object();

  private final String what;
  private final int window;
  private final ArrayDeque<Object> responses = new ArrayDeque<>();
  private ClientCallStreamObserver<Q> requests;
  private Throwable failure;
  private boolean ended;

  private BlockingStream(String what, int window) {
    this.what = what;
    this.window = window;
  }

  /**
   * Starts a call.
   *
   * @param what names the call in messages ("the backup's Upload call")
   * @param start the async stub's method, such as {@code stub::upload}
   * @param window how many responses may wait unconsumed
   */
  static <Q, R> BlockingStream<Q, R> open(
      String what, Function<StreamObserver<R>, StreamObserver<Q>> start, int window) {
    BlockingStream<Q, R> s = new BlockingStream<>(what, window);
    start.apply(s);
    return s;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Q> r) {
    this.requests = r;
    r.disableAutoRequestWithInitial(window);
    r.setOnReadyHandler(this::wake);
  }

  @Override
  public synchronized void onNext(R value) {
    responses.add(value);
    notifyAll();
  }

  @Override
  public synchronized void onError(Throwable t) {
    if (failure == null) {
      failure = t;
    }
    notifyAll();
  }

  @Override
  public synchronized void onCompleted() {
    responses.add(END);
    notifyAll();
  }

  private synchronized void wake() {
    notifyAll();
  }

  /** Sends one message, waiting while the transport cannot take more. */
  void send(Q message) throws IOException {
    synchronized (this) {
      while (failure == null && !requests.isReady()) {
        await(Duration.ofSeconds(1));
      }
      if (failure != null) {
        throw StatusMapping.toException(failure);
      }
    }
    requests.onNext(message);
  }

  /** No more messages from this side. */
  void halfClose() {
    requests.onCompleted();
  }

  /**
   * The next response, waiting up to {@code timeout} for it; null once the server completed the
   * call.
   *
   * @throws RetryableException when nothing came within {@code timeout} (the call is cancelled)
   */
  R take(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object r;
    synchronized (this) {
      while (responses.isEmpty() && failure == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          cancel("no answer within " + timeout.toSeconds() + " s", null);
          throw new RetryableException(
              what + ": the Klio server sent nothing for " + timeout.toSeconds() + " s");
        }
        await(Duration.ofNanos(left));
      }
      if (responses.isEmpty()) {
        throw StatusMapping.toException(failure);
      }
      r = responses.poll();
      if (r == END) {
        ended = true;
        return null;
      }
    }
    requests.request(1);
    @SuppressWarnings("unchecked")
    R value = (R) r;
    return value;
  }

  /** Whether the server completed the call. */
  synchronized boolean ended() {
    return ended;
  }

  /** Cancels the call (the server sees it cancelled); never throws. */
  void cancel(String why, Throwable cause) {
    try {
      requests.cancel(why, cause);
    } catch (RuntimeException ignored) {
      // already over
    }
  }

  private void await(Duration d) throws InterruptedIOException {
    try {
      long ms = Math.max(1, Math.min(d.toMillis(), 1000));
      wait(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel("interrupted", e);
      throw new InterruptedIOException(what + ": interrupted");
    }
  }
}
