package io.klio.server.backup;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.klio.client.wire.StatusMapping;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming call whose messages are handled one at a time on a worker (never on gRPC's threads,
 * since handling may block: storing a pack, waiting for WAL), with flow control both ways: the next
 * message is requested only after the previous one was handled, and {@link #send} waits until the
 * client can take more. So one call holds at most one inbound and one outbound message in memory,
 * whatever the data's size.
 *
 * <p>Subclasses implement {@link #handle} and {@link #halfClosed}; a failure they throw ends the
 * call with the matching status ({@link StatusMapping}). {@link #cancelled} runs once when the
 * client goes away or the call fails.
 */
abstract class WorkerCall<Q, R> implements StreamObserver<Q> {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerCall.class);
  private static final Object HALF_CLOSE = new Object();

  /** The caller's identity (a client certificate's cluster name), taken when the call began. */
  protected final Optional<String> identity;

  private final ServerCallStreamObserver<R> out;
  private final Executor executor;
  private final boolean clientStreaming;
  private final ArrayDeque<Object> inbox = new ArrayDeque<>();
  private boolean draining;
  private boolean done;
  private boolean cancelled;

  /**
   * @param clientStreaming whether the client sends a stream (then messages are requested one at a
   *     time); for a call with one request, feed it with {@link #onNext} and {@link #onCompleted}
   */
  WorkerCall(ServerCallStreamObserver<R> out, Executor executor, boolean clientStreaming) {
    this.out = out;
    this.executor = executor;
    this.clientStreaming = clientStreaming;
    this.identity = io.klio.server.grpc.ClientIdentity.current();
    if (clientStreaming) {
      out.disableAutoRequest();
    }
    out.setOnReadyHandler(this::wake);
    out.setOnCancelHandler(
        () -> {
          boolean first;
          synchronized (this) {
            first = !cancelled && !done;
            cancelled = true;
            notifyAll();
          }
          if (first) {
            runCancelled();
          }
        });
    if (clientStreaming) {
      out.request(1);
    }
  }

  /** Handles one message; may block, may {@link #send}. */
  protected abstract void handle(Q message) throws Exception;

  /** The client sent its last message; finish the call with {@link #complete} or a failure. */
  protected abstract void halfClosed() throws Exception;

  /** The call ended without completing (cancelled by the client, or failed). Once. */
  protected void cancelled() {}

  @Override
  public final void onNext(Q message) {
    enqueue(message);
  }

  @Override
  public final void onCompleted() {
    enqueue(HALF_CLOSE);
  }

  @Override
  public final void onError(Throwable t) {
    boolean first;
    synchronized (this) {
      first = !cancelled && !done;
      cancelled = true;
      notifyAll();
    }
    if (first) {
      runCancelled();
    }
  }

  private void enqueue(Object m) {
    synchronized (this) {
      inbox.add(m);
      if (draining) {
        return;
      }
      draining = true;
    }
    executor.execute(this::drain);
  }

  @SuppressWarnings("unchecked")
  private void drain() {
    while (true) {
      Object m;
      synchronized (this) {
        m = inbox.poll();
        if (m == null || done || cancelled) {
          draining = false;
          return;
        }
      }
      try {
        if (m == HALF_CLOSE) {
          halfClosed();
        } else {
          handle((Q) m);
          synchronized (this) {
            if (!done && !cancelled && clientStreaming) {
              out.request(1);
            }
          }
        }
      } catch (Exception | Error e) {
        fail(e);
      }
    }
  }

  /**
   * Sends one message once the client can take it.
   *
   * @throws CancelledException when the call ended meanwhile
   */
  protected final void send(R message) throws CancelledException {
    synchronized (this) {
      while (!cancelled && !done && !out.isReady()) {
        try {
          wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CancelledException();
        }
      }
      if (cancelled || done) {
        throw new CancelledException();
      }
      out.onNext(message);
    }
  }

  /** Ends the call successfully. */
  protected final void complete() {
    synchronized (this) {
      if (done || cancelled) {
        return;
      }
      done = true;
    }
    out.onCompleted();
  }

  /** Ends the call with the status for {@code e}. */
  protected final void fail(Throwable e) {
    synchronized (this) {
      if (done || cancelled) {
        return;
      }
      done = true;
    }
    if (!(e instanceof CancelledException)) {
      LOG.debug("call failed: {}", e.toString());
      try {
        out.onError(StatusMapping.toStatus(e));
      } catch (RuntimeException ignored) {
        // the transport is gone
      }
    }
    runCancelled();
  }

  /** Whether the call has ended, either way. */
  protected final synchronized boolean isOver() {
    return done || cancelled;
  }

  private void wake() {
    synchronized (this) {
      notifyAll();
    }
  }

  private void runCancelled() {
    try {
      cancelled();
    } catch (RuntimeException e) {
      LOG.warn("cleaning up a call: {}", e.toString());
    }
  }

  /** The call ended while a message was to be sent. */
  static final class CancelledException extends Exception {
    private static final long serialVersionUID = 1L;

    CancelledException() {
      super("the call was cancelled");
    }
  }
}
