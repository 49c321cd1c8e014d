package io.klio.client.internal;

import com.github.luben.zstd.ZstdCompressCtx;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.ArchiveInfo;
import io.klio.api.grpc.v1.EndOfTimeline;
import io.klio.api.grpc.v1.FlushRequest;
import io.klio.api.grpc.v1.GetInfoRequest;
import io.klio.api.grpc.v1.HistoryFile;
import io.klio.api.grpc.v1.NegotiateRequest;
import io.klio.api.grpc.v1.NegotiateResponse;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.api.grpc.v1.StreamStart;
import io.klio.api.grpc.v1.WalData;
import io.klio.api.grpc.v1.WalEncoding;
import io.klio.api.grpc.v1.WalServiceGrpc;
import io.klio.client.KlioClientOptions;
import io.klio.client.wire.StatusMapping;
import io.klio.walstream.WalSink;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WalSink} whose storage is a Klio server: WAL goes over the bidirectional stream, and
 * {@link #durableLsn()} is the position the server acknowledged as fsynced, so the replication slot
 * (and a synchronous commit) never gets ahead of what the server holds. Any failure of the stream
 * surfaces as a {@link RetryableException} from the next call, which ends the receiver's run; the
 * caller reconnects.
 */
final class RemoteWalSink implements WalSink {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteWalSink.class);

  private final WalServiceGrpc.WalServiceBlockingStub blocking;
  private final WalServiceGrpc.WalServiceStub async;
  private final ClusterName cluster;
  private final Duration ackTimeout;
  private final Object lock = new Object();
  private Outbound requests; // the open stream's way to the server
  private Acks current; // the open stream's acknowledgement observer
  private DurabilityListener listener = lsn -> {};
  private volatile Lsn durable = Lsn.INVALID;
  private long ackedSequence;
  private long sequence;
  private long waitingSince; // nanoTime: acknowledgements owed since then, 0 when none
  private Throwable failure;
  private boolean ended;
  private NegotiateResponse negotiated;
  private final Set<Long> histories = new HashSet<>();

  private final Runnable onStreamFailure;
  private final boolean synchronous;
  private final WalSocket.Dialer walSocket; // null: the Stream call only
  private boolean walSocketWarned;
  private boolean noSocketSaid; // the server offers no WAL socket: said once
  private long walSocketRetryAt = System.nanoTime(); // after a failed connection: gRPC until then
  private WalData.Builder pending; // synchronous mode: data waiting for its flush
  private final ZstdCompressCtx zstd; // null: WAL goes uncompressed
  private byte[] frame = new byte[0];
  private long segmentBytes;

  /**
   * WAL messages smaller than this go uncompressed: compressing a few hundred bytes of a
   * synchronous commit gains little on the wire, and the server compresses such segments whole.
   */
  static final int MIN_COMPRESS = 8 << 10;

  /**
   * @param walSocket opens the server's WAL socket, which a synchronous sink streams over when the
   *     server offers one (null: always the gRPC Stream call)
   * @param onStreamFailure called (from a gRPC thread) when the stream fails, so that a receiver
   *     blocked reading from PostgreSQL can be stopped and reconnect
   */
  RemoteWalSink(
      ManagedChannel channel,
      KlioClientOptions options,
      WalSocket.Dialer walSocket,
      Runnable onStreamFailure) {
    this.onStreamFailure = onStreamFailure;
    this.synchronous = options.synchronous();
    this.walSocket = walSocket;
    int zstdLevel = options.compressionLevel();
    if (zstdLevel > 0) {
      zstd = new ZstdCompressCtx();
      zstd.setLevel(zstdLevel);
      zstd.setChecksum(true);
    } else {
      zstd = null;
    }
    this.blocking = WalServiceGrpc.newBlockingStub(channel);
    // WAL messages are up to 128 KiB: let several be in flight before the stream reports
    // not-ready (the default threshold, 32 KiB, would stall after every message)
    this.async = WalServiceGrpc.newStub(channel).withOnReadyThreshold(4 << 20);
    this.cluster = options.cluster();
    this.ackTimeout = options.acknowledgementTimeout();
  }

  @Override
  public Optional<SystemIdentifier> systemIdentifier() throws IOException {
    ArchiveInfo info =
        StatusMapping.call(
            () ->
                blocking
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getInfo(GetInfoRequest.newBuilder().setCluster(cluster.value()).build()));
    return info.getWalSegmentSize() == 0
        ? Optional.empty()
        : Optional.of(new SystemIdentifier(info.getSystemIdentifier()));
  }

  @Override
  public void open(StreamInfo info, DurabilityListener durabilityListener) throws IOException {
    closeStream();
    pending = null;
    negotiated =
        StatusMapping.call(
            () ->
                blocking
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .negotiate(
                        NegotiateRequest.newBuilder()
                            .setCluster(cluster.value())
                            .setSystemIdentifier(info.systemId().value())
                            .setWalSegmentSize(info.segmentSize().bytes())
                            .setServerMajor(info.serverMajor())
                            .build()));
    histories.clear();
    negotiated.getHistoryTimelinesList().forEach(t -> histories.add((long) t));
    segmentBytes = info.segmentSize().bytes();
    this.listener = durabilityListener;
    synchronized (lock) {
      failure = null;
      ended = false;
      sequence = 0;
      ackedSequence = 0;
      waitingSince = 0;
    }
    Acks acks = new Acks();
    synchronized (lock) {
      current = acks;
    }
    Outbound socket = null;
    if (synchronous && walSocket != null) {
      int port = negotiated.getWalSocketPort();
      if (port == 0 && !noSocketSaid) {
        noSocketSaid = true;
        LOG.info(
            "the Klio server offers no WAL socket (its wal.socketListen is not set): synchronous"
                + " commits are acknowledged over gRPC, which costs more CPU and time per commit");
      } else if (port != 0 && System.nanoTime() - walSocketRetryAt >= 0) {
        socket = connectWalSocket(port, acks);
      }
    }
    if (socket == null) {
      async.stream(acks); // beforeStart sets requests
    } else {
      synchronized (lock) {
        requests = socket;
      }
    }
    send(
        StreamRequest.newBuilder()
            .setStart(
                StreamStart.newBuilder()
                    .setCluster(cluster.value())
                    .setSystemIdentifier(info.systemId().value())
                    .setWalSegmentSize(info.segmentSize().bytes())
                    .setServerMajor(info.serverMajor()))
            .build());
  }

  /**
   * The WAL socket, or null (the gRPC Stream call is used) when its port cannot be reached: a
   * network path that lets only the gRPC port through still works, and says so once.
   */
  private Outbound connectWalSocket(int port, Acks acks) throws IOException {
    WalSocket s;
    try {
      s = walSocket.connect(port, acks);
    } catch (javax.net.ssl.SSLException e) {
      throw StatusMapping.toException(e);
    } catch (IOException e) {
      // a port that drops packets costs up to 30 s per attempt: not tried again for 10 minutes
      walSocketRetryAt = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      if (!walSocketWarned) {
        walSocketWarned = true;
        LOG.warn(
            "the Klio server offers its WAL socket at {}, which cannot be reached ({}); streaming"
                + " over gRPC instead (open that port to the server for faster synchronous"
                + " commits)",
            walSocket.address(port),
            e.toString());
      }
      return null;
    }
    LOG.info("streaming WAL over the WAL socket at {}", walSocket.address(port));
    return new Outbound() {
      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public boolean blocking() {
        return true;
      }

      @Override
      public void send(StreamRequest m) throws IOException {
        s.send(m);
      }

      @Override
      public void complete() {
        s.complete();
      }
    };
  }

  /** How messages reach the server: the gRPC Stream call, or the WAL socket. */
  private interface Outbound {
    /** Whether a message may be sent now (gRPC's flow control). */
    boolean isReady();

    /** Whether {@link #send} may block, so it must not be called holding the sink's lock. */
    boolean blocking();

    void send(StreamRequest m) throws IOException;

    /** No more messages: the server acknowledges the rest and ends the stream. */
    void complete();
  }

  /** The server's answers on one stream; those of an earlier stream are ignored. */
  private final class Acks implements ClientResponseObserver<StreamRequest, StreamResponse> {

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamRequest> r) {
      synchronized (lock) {
        if (current != this) {
          return;
        }
        requests =
            new Outbound() {
              @Override
              public boolean isReady() {
                return r.isReady();
              }

              @Override
              public boolean blocking() {
                return false;
              }

              @Override
              public void send(StreamRequest m) {
                r.onNext(m);
              }

              @Override
              public void complete() {
                try {
                  r.onCompleted();
                } catch (RuntimeException ignored) {
                  // already closed
                }
              }
            };
      }
      r.setOnReadyHandler(
          () -> {
            synchronized (lock) {
              lock.notifyAll();
            }
          });
    }

    @Override
    public void onNext(StreamResponse ack) {
      Lsn d = Lsn.of(ack.getDurableLsn());
      boolean advanced;
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
        lock.notifyAll();
      }
      if (advanced) {
        listener.durable(d);
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (lock) {
        if (current != this) {
          return;
        }
        failure = t;
        ended = true;
        lock.notifyAll();
      }
      onStreamFailure.run();
    }

    @Override
    public void onCompleted() {
      synchronized (lock) {
        if (current != this) {
          return;
        }
        ended = true;
        lock.notifyAll();
      }
      onStreamFailure.run();
    }
  }

  @Override
  public Optional<StoredSegment> newestSegment(WalSegmentSize size) throws IOException {
    if (negotiated == null || negotiated.getNewestSegment().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new StoredSegment(
            WalFileName.Segment.parse(negotiated.getNewestSegment(), size),
            negotiated.getNewestIsPartial()));
  }

  /**
   * Sends WAL; in synchronous mode the data is held until the flush or flush request that follows
   * it, and both travel as one message. With compression on, WAL is cut at segment ends and each
   * piece of at least {@link #MIN_COMPRESS} bytes goes as one zstd frame (raw when that is not
   * smaller).
   */
  @Override
  public void write(TimelineId timeline, Lsn start, byte[] data, int offset, int length)
      throws IOException {
    while (length > 0) {
      long inSegment = segmentBytes - Long.remainderUnsigned(start.value(), segmentBytes);
      int n = (int) Math.min(length, inSegment);
      writePiece(timeline, start, data, offset, n);
      start = start.plus(n);
      offset += n;
      length -= n;
    }
  }

  private void writePiece(TimelineId timeline, Lsn start, byte[] data, int offset, int length)
      throws IOException {
    sendPending();
    WalData.Builder d =
        WalData.newBuilder().setTimeline((int) timeline.value()).setStartLsn(start.value());
    int compressed = length >= MIN_COMPRESS && zstd != null ? compress(data, offset, length) : -1;
    if (compressed > 0 && compressed < length) {
      d.setEncoding(WalEncoding.WAL_ENCODING_ZSTD)
          .setWalLength(length)
          .setData(ByteString.copyFrom(frame, 0, compressed));
    } else {
      d.setData(ByteString.copyFrom(data, offset, length));
    }
    if (synchronous) {
      pending = d;
    } else {
      send(StreamRequest.newBuilder().setData(d).build());
    }
  }

  /** Compresses into {@link #frame}; the frame's length, or -1 when it would not fit. */
  private int compress(byte[] data, int offset, int length) {
    if (frame.length < length) {
      frame = new byte[length + (length >> 3)];
    }
    try {
      return zstd.compressByteArray(frame, 0, length, data, offset, length);
    } catch (com.github.luben.zstd.ZstdException e) {
      return -1; // the frame is no smaller than the WAL (dstSize_tooSmall): send it raw
    }
  }

  private void sendPending() throws IOException {
    if (pending != null) {
      WalData.Builder d = pending;
      pending = null;
      send(StreamRequest.newBuilder().setData(d).build());
    }
  }

  /** Asks the server to fsync now and waits for its acknowledgement. */
  @Override
  public void flush() throws IOException {
    long seq = sendFlushRequest();
    long deadline = System.nanoTime() + ackTimeout.toNanos();
    synchronized (lock) {
      while (ackedSequence < seq) {
        checkStream();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new RetryableException(
              "the Klio server did not acknowledge a flush within "
                  + ackTimeout.toSeconds()
                  + " s");
        }
        waitOn(left);
      }
    }
  }

  /**
   * Asks the server to fsync now without waiting: its acknowledgement reaches the durability
   * listener from the gRPC thread, while the receiver goes on reading WAL. Fails when an earlier
   * request has waited longer than the acknowledgement timeout.
   */
  @Override
  public boolean requestFlush() throws IOException {
    sendFlushRequest();
    return true;
  }

  /** Sends the pending data with a flush request, or a flush request alone; its sequence. */
  private long sendFlushRequest() throws IOException {
    long seq;
    synchronized (lock) {
      if (waitingSince != 0 && System.nanoTime() - waitingSince > ackTimeout.toNanos()) {
        throw new RetryableException(
            "the Klio server did not acknowledge a flush within " + ackTimeout.toSeconds() + " s");
      }
      seq = ++sequence;
      if (waitingSince == 0) {
        waitingSince = System.nanoTime();
      }
    }
    if (pending != null) {
      WalData.Builder d = pending.setFlushSequence(seq);
      pending = null;
      send(StreamRequest.newBuilder().setData(d).build());
    } else {
      send(StreamRequest.newBuilder().setFlush(FlushRequest.newBuilder().setSequence(seq)).build());
    }
    return seq;
  }

  @Override
  public void endOfTimeline(TimelineId timeline, Lsn end) throws IOException {
    sendPending();
    send(
        StreamRequest.newBuilder()
            .setEndOfTimeline(
                EndOfTimeline.newBuilder()
                    .setTimeline((int) timeline.value())
                    .setEndLsn(end.value()))
            .build());
  }

  @Override
  public void writeHistory(TimelineId timeline, byte[] content) throws IOException {
    sendPending();
    send(
        StreamRequest.newBuilder()
            .setHistory(
                HistoryFile.newBuilder()
                    .setTimeline((int) timeline.value())
                    .setContent(ByteString.copyFrom(content)))
            .build());
    flush();
    histories.add(timeline.value());
  }

  @Override
  public boolean hasHistory(TimelineId timeline) {
    return histories.contains(timeline.value());
  }

  @Override
  public Lsn durableLsn() {
    return durable;
  }

  private void send(StreamRequest m) throws IOException {
    Outbound o;
    synchronized (lock) {
      long deadline = System.nanoTime() + ackTimeout.toNanos();
      while (true) {
        checkStream();
        if (requests.isReady()) {
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new RetryableException(
              "the Klio server accepted no WAL for " + ackTimeout.toSeconds() + " s");
        }
        waitOn(left);
      }
      o = requests;
      if (!o.blocking()) {
        o.send(m);
        return;
      }
    }
    // the WAL socket: written outside the lock, so that acknowledgements are taken meanwhile
    try {
      o.send(m);
    } catch (IOException e) {
      synchronized (lock) {
        checkStream(); // the server's reason, when it gave one
      }
      throw new RetryableException("the WAL socket to the Klio server failed: " + e, e);
    }
  }

  private void checkStream() throws IOException {
    if (requests == null) {
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
      throw new java.io.InterruptedIOException("interrupted while waiting for the Klio server");
    }
  }

  private void closeStream() {
    synchronized (lock) {
      if (requests != null && !ended) {
        requests.complete();
      }
      requests = null;
      current = null;
    }
  }

  /** Ends the stream; the server flushes and acknowledges what it received. */
  @Override
  public void close() throws IOException {
    Outbound r;
    synchronized (lock) {
      r = requests;
    }
    if (r != null && failure == null && !ended) {
      try {
        flush();
      } catch (IOException e) {
        // the server went away; nothing more can be acknowledged
      }
    }
    closeStream();
  }

  @Override
  public String toString() {
    return "the Klio archive of cluster " + cluster;
  }
}
