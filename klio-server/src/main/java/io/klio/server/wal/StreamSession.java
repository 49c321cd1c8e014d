package io.klio.server.wal;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One WAL stream from a send-wal client, on whichever thread its messages arrive: a worker thread
 * takes the client's messages in order and passes them to the stream's {@link StreamHandler} (which
 * writes them into the archive's intake and acknowledges what is durable), and flushes every flush
 * interval. Inbound flow control bounds memory: at most {@link #WINDOW} messages are requested
 * ahead, and at least half of that.
 *
 * <p>A message that asks for a flush (a synchronous client: a commit waits for the answer) is
 * handled on the transport thread that received it when nothing is queued for the worker: written,
 * fsynced and acknowledged there, which saves the hand-off to the worker and back, two thread
 * wake-ups per commit. {@link #handling} keeps the two threads from handling messages at once, and
 * {@link #queued} keeps the order: a message is handled in place only when no earlier one waits. On
 * the WAL socket, whose reader thread serves this stream alone, every message is handled there.
 *
 * <p>Sessions are made and ended by the {@link StreamRegistry} only.
 */
final class StreamSession implements StreamObserver<StreamRequest> {

  static final int WINDOW = 32;
  private static final StreamRequest END = StreamRequest.getDefaultInstance();
  private static final BooleanSupplier MORE = () -> true;
  private static final BooleanSupplier NONE = () -> false;

  private final ServerCallStreamObserver<StreamResponse> out;
  private final Duration flushInterval;
  private final boolean ownReader;
  private final io.grpc.Context context;
  private final StreamHandler handler; // guarded by handling
  private final LinkedBlockingQueue<StreamRequest> queue = new LinkedBlockingQueue<>();
  private final BooleanSupplier queuedBehind = () -> !queue.isEmpty();
  private volatile boolean cancelled;
  private volatile Thread worker;
  private final ReentrantLock handling = new ReentrantLock(); // guards the handler and below
  private final AtomicInteger queued = new AtomicInteger(); // messages queued or being handled
  private boolean finished; // guarded by handling
  private Exception failedInPlace; // a message handled in place failed; guarded by handling

  /**
   * @param ownReader the messages arrive on a thread that reads this stream only (the WAL
   *     socket's): every message, not only a flush request, is handled on it when nothing is
   *     queued, and the worker only flushes at the interval
   */
  StreamSession(
      StreamRegistry registry,
      Archives archives,
      Metrics metrics,
      ServerCallStreamObserver<StreamResponse> out,
      Duration flushInterval,
      boolean ownReader) {
    this.ownReader = ownReader;
    this.out = out;
    this.flushInterval = flushInterval;
    this.context = io.grpc.Context.current();
    this.handler = new StreamHandler(this, registry, archives, metrics, out);
    out.disableAutoRequest();
    out.setOnCancelHandler(
        () -> {
          cancelled = true;
          queue.add(END);
        });
    out.request(WINDOW);
  }

  @Override
  public void onNext(StreamRequest value) {
    onNext(value, false);
  }

  /**
   * @param more more of the stream has already arrived behind this message (the WAL socket can
   *     tell): a flush it asks for, when handled on this thread, is answered by the fsync after the
   *     next message instead, so that a group of commits that arrived together costs one fsync
   */
  void onNext(StreamRequest value, boolean more) {
    if (worker == null) {
      Thread t = new Thread(() -> context.run(this::work), "klio-wal-stream");
      t.setDaemon(true);
      worker = t;
      t.start();
    }
    if ((ownReader || (value.hasData() && value.getData().getFlushSequence() != 0))
        && !cancelled
        && queued.get() == 0
        && handling.tryLock()) {
      try {
        if (queued.get() == 0 && !finished && failedInPlace == null && handler.isStarted()) {
          try {
            handler.handle(value, more ? MORE : NONE);
            if (!more) {
              handler.answerDeferred(); // a flush request deferred behind this message
            }
            out.request(1);
          } catch (Exception e) {
            failedInPlace = e; // the worker ends the stream with it
            queue.add(END);
          }
          return;
        }
      } finally {
        handling.unlock();
      }
    }
    queued.incrementAndGet();
    queue.add(value);
  }

  @Override
  public void onError(Throwable t) {
    cancelled = true;
    queue.add(END);
  }

  @Override
  public void onCompleted() {
    queue.add(END);
  }

  /** Ends this session from outside (a newer stream of the same cluster took over). */
  void replace() {
    cancelled = true;
    end();
  }

  /**
   * Ends this session after the messages already queued (graceful shutdown: they are written,
   * flushed and acknowledged, then the stream completes), and waits for it.
   */
  void end() {
    queue.add(END);
    Thread t = worker;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void work() {
    try {
      long lastFlush = System.nanoTime();
      int consumed = 0; // messages handled since more were last requested
      while (true) {
        long waitNanos = flushInterval.toNanos() - (System.nanoTime() - lastFlush);
        StreamRequest m = queue.poll(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        if (m == END || cancelled) {
          break;
        }
        if (m != null) {
          handling.lock();
          try {
            handler.handle(m, queuedBehind);
            if (queue.isEmpty()) {
              handler.answerDeferred();
            }
          } finally {
            handling.unlock();
            queued.decrementAndGet();
          }
          // more messages are asked for in batches: each request is a task on the transport's
          // event loop, and a synchronous client sends one message per commit
          if (++consumed == WINDOW / 2) {
            out.request(consumed);
            consumed = 0;
          }
        }
        if (handler.isStarted()
            && (m == null || queue.isEmpty())
            && System.nanoTime() - lastFlush >= flushInterval.toNanos()) {
          handling.lock();
          try {
            handler.flushAndAck();
          } finally {
            handling.unlock();
          }
          lastFlush = System.nanoTime();
        }
      }
      finish(null);
    } catch (Exception e) {
      finish(e);
    }
  }

  private void finish(Exception failure) {
    handling.lock();
    try {
      finished = true;
      handler.finish(failure != null ? failure : failedInPlace, cancelled);
    } finally {
      handling.unlock();
    }
  }
}
