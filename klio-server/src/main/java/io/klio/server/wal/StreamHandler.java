package io.klio.server.wal;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
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
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a WAL stream's messages do (docs/grpc-api.md, {@code Stream}): {@code start} checks the
 * caller and the database system, takes the cluster's stream over ({@link StreamRegistry}) and
 * opens the archive's {@link WalIntake}; WAL goes into the intake; a flush request, an end of
 * timeline and the stream's end are answered by an fsync and an acknowledgement of exactly what is
 * durable. The data flows one way: stream → handler → intake → journal.
 *
 * <p>Not thread-safe: its {@link StreamSession} calls it from one thread at a time (holding its
 * lock), the transport's or the worker's.
 */
final class StreamHandler {

  private static final Logger LOG = LoggerFactory.getLogger(StreamHandler.class);

  private final StreamSession session;
  private final StreamRegistry registry;
  private final Archives archives;
  private final Metrics metrics;
  private final ServerCallStreamObserver<StreamResponse> out;
  private ClusterName cluster; // once this stream took over its cluster
  private WalIntake intake;
  private long unackedSince; // nanoTime of the oldest WAL not yet acknowledged, 0 when none
  private long flushSeq;
  private long deferredFlush; // a flush request answered after the queued messages, 0 when none

  StreamHandler(
      StreamSession session,
      StreamRegistry registry,
      Archives archives,
      Metrics metrics,
      ServerCallStreamObserver<StreamResponse> out) {
    this.session = session;
    this.registry = registry;
    this.archives = archives;
    this.metrics = metrics;
    this.out = out;
  }

  /** Whether {@code start} opened the intake: WAL can be taken. */
  boolean isStarted() {
    return intake != null;
  }

  /**
   * @param more whether more of the stream has arrived behind this message: a flush it asks for is
   *     then deferred to the next one, so that a group of commits that arrived together costs one
   *     fsync ({@link #answerDeferred()}; the flush interval answers it at the latest)
   */
  void handle(StreamRequest m, BooleanSupplier more) throws IOException {
    switch (m.getKindCase()) {
      case START -> start(m.getStart());
      case DATA -> data(m.getData(), more);
      case FLUSH -> {
        requireStarted();
        flushAndAck(m.getFlush().getSequence());
      }
      case END_OF_TIMELINE -> {
        requireStarted();
        intake.endOfTimeline();
        flushAndAck(0);
      }
      case HISTORY -> {
        requireStarted();
        intake.history(
            TimelineId.of(m.getHistory().getTimeline()), m.getHistory().getContent().toByteArray());
      }
      default -> throw new IllegalArgumentException("empty stream message");
    }
  }

  private void data(WalData d, BooleanSupplier more) throws IOException {
    requireStarted();
    Lsn start = Lsn.of(d.getStartLsn());
    TimelineId timeline = TimelineId.of(d.getTimeline());
    switch (d.getEncoding()) {
      case WAL_ENCODING_NONE -> intake.write(timeline, start, d.getData().toByteArray());
      case WAL_ENCODING_ZSTD ->
          intake.writeFrame(timeline, start, d.getData().toByteArray(), d.getWalLength());
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
    if (d.getFlushSequence() != 0) {
      if (more.getAsBoolean()) {
        // more is queued or on its way (a client that does not wait for each acknowledgement):
        // one fsync after the next messages answers this request and theirs
        deferredFlush = d.getFlushSequence();
      } else {
        flushAndAck(d.getFlushSequence());
      }
    }
  }

  private void requireStarted() {
    if (intake == null) {
      throw new IllegalArgumentException("the first message of a WAL stream must be 'start'");
    }
  }

  private void start(StreamStart s) throws IOException {
    if (cluster != null) {
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
    a.register(new SystemIdentifier(s.getSystemIdentifier()), size, s.getServerMajor());
    registry.take(name, session);
    cluster = name;
    intake = a.openIntake(size);
    LOG.info("cluster {}: WAL stream started", name);
  }

  /** Answers a flush request deferred behind the message just handled, if there is one. */
  void answerDeferred() throws IOException {
    if (deferredFlush != 0) {
      flushAndAck(0);
    }
  }

  /** fsyncs what arrived and acknowledges it (the flush interval's flush). */
  void flushAndAck() throws IOException {
    flushAndAck(0);
  }

  private void flushAndAck(long sequence) throws IOException {
    if (intake == null) {
      return;
    }
    Lsn durable = intake.flush();
    long answered = Math.max(sequence, deferredFlush); // this fsync answers a deferred request too
    deferredFlush = 0;
    if (answered > flushSeq) {
      flushSeq = answered;
    }
    if (!durable.isValid() && answered == 0) {
      return;
    }
    if (unackedSince != 0 && !durable.isBefore(intake.received())) {
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

  /**
   * Ends the stream: what arrived is made durable (the client resumes from it) and the cluster's
   * stream is released; then the client hears why: the failure, {@code ABORTED} when the server
   * ended it, else a last acknowledgement and completion.
   */
  void finish(Exception failure, boolean cancelled) {
    if (intake != null) {
      intake.close();
    }
    if (cluster != null) {
      registry.release(cluster, session);
    }
    try {
      if (failure != null) {
        metrics.error();
        LOG.warn(
            "WAL stream{} failed: {}",
            cluster == null ? "" : " of cluster " + cluster,
            failure.getMessage());
        synchronized (out) {
          out.onError(StatusMapping.toStatus(failure));
        }
      } else if (cancelled) {
        synchronized (out) {
          out.onError(
              Status.ABORTED.withDescription("stream ended by the server").asRuntimeException());
        }
      } else {
        try {
          flushAndAck(0);
        } catch (IOException e) {
          LOG.warn("final acknowledgement failed: {}", e.getMessage());
        }
        synchronized (out) {
          out.onCompleted();
        }
      }
    } catch (RuntimeException ignored) {
      // the call is already closed
    }
    if (cluster != null) {
      LOG.info("cluster {}: WAL stream ended", cluster);
    }
  }
}
