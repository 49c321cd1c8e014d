package io.klio.server.wal;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalSegmentSize;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.api.grpc.v1.StreamStart;
import io.klio.api.grpc.v1.WalData;
import io.klio.client.wire.StatusMapping;
import io.klio.server.grpc.ClientIdentity;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WAL stream from a send-wal client. A worker thread takes the client's messages in order,
 * writes them into the cluster's incoming {@link WalJournal}, fsyncs when asked, at segment ends
 * and every flush interval, and acknowledges exactly what the sink made durable. Inbound flow
 * control bounds memory: at most {@link #WINDOW} messages are requested ahead, and at least half of
 * that.
 *
 * <p>A message that asks for a flush (a synchronous client: a commit waits for the answer) is
 * handled on the transport thread that received it when nothing is queued for the worker: written,
 * fsynced and acknowledged there, which saves the hand-off to the worker and back, two thread
 * wake-ups per commit. {@link #handling} keeps the two threads from handling messages at once, and
 * {@link #queued} keeps the order: a message is handled in place only when no earlier one waits. On
 * the WAL socket, whose reader thread serves this stream alone, every message is handled there.
 */
final class StreamSession implements StreamObserver<StreamRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(StreamSession.class);
  static final int WINDOW = 32;
  private static final StreamRequest END = StreamRequest.getDefaultInstance();

  private final Archives archives;
  private final Metrics metrics;
  private final ServerCallStreamObserver<StreamResponse> out;
  private final Duration flushInterval;
  private final boolean ownReader;
  private final io.grpc.Context context;
  private final LinkedBlockingQueue<StreamRequest> queue = new LinkedBlockingQueue<>();
  private volatile boolean cancelled;
  private volatile Thread worker;
  private ClusterArchive archive;
  private WalJournal sink;
  private Lsn written = Lsn.INVALID;
  private long unackedSince; // nanoTime of the oldest WAL not yet acknowledged, 0 when none
  private long flushSeq;
  private long deferredFlush; // a flush request answered after the queued messages, 0 when none
  private ZstdDecompressCtx zstd;
  private byte[] wal = new byte[0];
  private final ReentrantLock handling = new ReentrantLock(); // guards all of the above
  private final AtomicInteger queued = new AtomicInteger(); // messages queued or being handled
  private boolean finished; // guarded by handling
  private Exception failedInPlace; // a message handled in place failed; guarded by handling

  StreamSession(
      Archives archives,
      Metrics metrics,
      ServerCallStreamObserver<StreamResponse> out,
      Duration flushInterval) {
    this(archives, metrics, out, flushInterval, false);
  }

  /**
   * @param ownReader the messages arrive on a thread that reads this stream only (the WAL
   *     socket's): every message, not only a flush request, is handled on it when nothing is
   *     queued, and the worker only flushes at the interval
   */
  StreamSession(
      Archives archives,
      Metrics metrics,
      ServerCallStreamObserver<StreamResponse> out,
      Duration flushInterval,
      boolean ownReader) {
    this.ownReader = ownReader;
    this.archives = archives;
    this.metrics = metrics;
    this.out = out;
    this.flushInterval = flushInterval;
    this.context = io.grpc.Context.current();
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
        if (queued.get() == 0 && !finished && failedInPlace == null && sink != null) {
          try {
            handle(value, more);
            if (!more && deferredFlush != 0) {
              flushAndAck(0); // answers the flush request deferred behind this message
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
            handle(m, false);
            if (deferredFlush != 0 && queue.isEmpty()) {
              flushAndAck(deferredFlush);
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
        if (sink != null
            && (m == null || queue.isEmpty())
            && System.nanoTime() - lastFlush >= flushInterval.toNanos()) {
          handling.lock();
          try {
            flushAndAck(0);
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

  /**
   * @param more more of the stream has arrived behind this message: a flush it asks for is deferred
   *     to the next one
   */
  private void handle(StreamRequest m, boolean more) throws IOException {
    switch (m.getKindCase()) {
      case START -> start(m.getStart());
      case DATA -> {
        requireStarted();
        WalData d = m.getData();
        Lsn start = Lsn.of(d.getStartLsn());
        TimelineId timeline = TimelineId.of(d.getTimeline());
        WalSegmentSize size = archive.meta().orElseThrow().segmentSize();
        int length;
        switch (d.getEncoding()) {
          case WAL_ENCODING_NONE -> {
            byte[] bytes = d.getData().toByteArray();
            length = bytes.length;
            sink.write(timeline, start, bytes, 0, length);
          }
          case WAL_ENCODING_ZSTD -> {
            // checked before it is stored: a frame that does not decode is refused now, not found
            // at restore time
            byte[] frame = d.getData().toByteArray();
            length = decode(start, frame, d.getWalLength(), size);
            sink.append(timeline, start, length, WalJournal.ZSTD, frame, 0, frame.length);
          }
          default ->
              throw new IllegalArgumentException(
                  "WAL data at "
                      + start
                      + " has an unknown encoding ("
                      + d.getEncodingValue()
                      + "): a newer client than this server; upgrade the server");
        }
        if (unackedSince == 0) {
          unackedSince = System.nanoTime();
        }
        written = start.plus(length);
        archive.received(written);
        if (start.segmentNumber(size) != Lsn.of(written.value() - 1).segmentNumber(size)
            || written.segmentOffset(size) == 0) {
          archive.scheduleArchiving(); // a segment was completed
        }
        if (d.getFlushSequence() != 0) {
          if (more || (Thread.currentThread() == worker && !queue.isEmpty())) {
            // more is queued or on its way (a client that does not wait for each
            // acknowledgement): one fsync after the next messages answers this request and theirs;
            // the worker's flush interval answers it at the latest
            deferredFlush = d.getFlushSequence();
          } else {
            flushAndAck(d.getFlushSequence());
          }
        }
      }
      case FLUSH -> {
        requireStarted();
        flushAndAck(m.getFlush().getSequence());
      }
      case END_OF_TIMELINE -> {
        requireStarted();
        sink.endOfTimeline();
        flushAndAck(0);
      }
      case HISTORY -> {
        requireStarted();
        sink.writeHistory(
            TimelineId.of(m.getHistory().getTimeline()), m.getHistory().getContent().toByteArray());
        archive.scheduleArchiving();
      }
      default -> throw new IllegalArgumentException("empty stream message");
    }
  }

  /** Decodes a zstd frame of WAL into {@link #wal}; its length. */
  private int decode(Lsn start, byte[] frame, int walLength, WalSegmentSize size) {
    if (walLength <= 0 || walLength > size.bytes()) {
      throw new IllegalArgumentException(
          "WAL data at "
              + start
              + ": wal_length "
              + Integer.toUnsignedString(walLength)
              + " is outside 1.."
              + size.bytes());
    }
    if (wal.length < walLength) {
      wal = new byte[Math.max(walLength, 128 << 10)];
    }
    if (zstd == null) {
      zstd = new ZstdDecompressCtx();
    }
    int n;
    try {
      n = zstd.decompressByteArray(wal, 0, walLength, frame, 0, frame.length);
    } catch (ZstdException e) {
      throw new IllegalArgumentException(
          "WAL data at " + start + ": the zstd frame does not decode: " + e.getMessage(), e);
    }
    if (n != walLength) {
      throw new IllegalArgumentException(
          "WAL data at " + start + ": the zstd frame holds " + n + " bytes, not " + walLength);
    }
    return n;
  }

  private void requireStarted() {
    if (sink == null) {
      throw new IllegalArgumentException("the first message of a WAL stream must be 'start'");
    }
  }

  private void start(StreamStart s) throws IOException {
    if (sink != null) {
      throw new IllegalArgumentException("'start' sent twice on one stream");
    }
    ClientIdentity.authorize(s.getCluster());
    ClusterName name;
    try {
      name = ClusterName.of(s.getCluster());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid cluster name: " + e.getMessage(), e);
    }
    ClusterArchive a = archives.get(name);
    WalSegmentSize size = WalSegmentSize.ofBytes(s.getWalSegmentSize());
    SystemIdentifier sys = new SystemIdentifier(s.getSystemIdentifier());
    a.register(sys, size, s.getServerMajor());
    a.attach(this);
    this.archive = a;
    this.sink = a.sink();
    sink.open(size);
    archive.streaming(true);
    LOG.info("cluster {}: WAL stream started", name);
  }

  private void flushAndAck(long sequence) throws IOException {
    if (sink == null) {
      return;
    }
    sink.flush();
    long answered = Math.max(sequence, deferredFlush); // this fsync answers a deferred request too
    deferredFlush = 0;
    if (answered > flushSeq) {
      flushSeq = answered;
    }
    Lsn durable = sink.durableLsn();
    if (!durable.isValid() && answered == 0) {
      return;
    }
    if (unackedSince != 0 && !durable.isBefore(written)) {
      metrics.ackLatency(System.nanoTime() - unackedSince);
      unackedSince = 0;
    }
    synchronized (out) {
      out.onNext(
          StreamResponse.newBuilder()
              .setDurableLsn(durable.value())
              .setFlushSequence(flushSeq)
              .build());
    }
  }

  private void finish(Exception failure) {
    handling.lock();
    try {
      finished = true;
      finishLocked(failure != null ? failure : failedInPlace);
    } finally {
      handling.unlock();
    }
  }

  private void finishLocked(Exception failure) {
    if (zstd != null) {
      zstd.close();
    }
    if (sink != null) {
      try {
        sink.flush(); // what arrived is made durable; the client resumes from it
      } catch (IOException e) {
        LOG.warn("cluster {}: flush at stream end failed: {}", archive.name(), e.getMessage());
      }
      archive.scheduleArchiving();
      archive.detach(this);
    }
    if (failure != null) {
      metrics.error();
      LOG.warn(
          "WAL stream{} failed: {}",
          archive == null ? "" : " of cluster " + archive.name(),
          failure.getMessage());
      try {
        synchronized (out) {
          out.onError(StatusMapping.toStatus(failure));
        }
      } catch (RuntimeException ignored) {
        // the call is already closed
      }
    } else if (cancelled) {
      try {
        synchronized (out) {
          out.onError(
              Status.ABORTED.withDescription("stream ended by the server").asRuntimeException());
        }
      } catch (RuntimeException ignored) {
        // the call is already closed
      }
    } else {
      try {
        flushAndAckQuietly();
        synchronized (out) {
          out.onCompleted();
        }
      } catch (RuntimeException ignored) {
        // the call is already closed
      }
    }
    if (archive != null) {
      LOG.info("cluster {}: WAL stream ended", archive.name());
    }
  }

  private void flushAndAckQuietly() {
    try {
      flushAndAck(0);
    } catch (IOException e) {
      LOG.warn("final acknowledgement failed: {}", e.getMessage());
    }
  }
}
