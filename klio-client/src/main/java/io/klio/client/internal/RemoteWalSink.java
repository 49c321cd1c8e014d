package io.klio.client.internal;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.grpc.v1.ArchiveInfo;
import io.klio.api.grpc.v1.EndOfTimeline;
import io.klio.api.grpc.v1.HistoryFile;
import io.klio.api.grpc.v1.NegotiateResponse;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamStart;
import io.klio.client.KlioClientOptions;
import io.klio.walstream.WalSink;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link WalSink} whose storage is a Klio server ({@link io.klio.client.KlioConnection#walSink}).
 * Each {@link #open} negotiates ({@link ArchiveCalls}), opens a stream over the transport {@link
 * TransportChooser} picks, and sends WAL through {@link WalFraming} into the stream's {@link
 * AckWindow}, whose acknowledgements are {@link #durableLsn()}. The data flows one way: sink →
 * framing → window → transport → server; answers come back through the window only.
 *
 * <p>Threading as {@link WalSink} says: one receiver thread calls it; {@link #durableLsn()} and the
 * durability listener run on any thread.
 */
final class RemoteWalSink implements WalSink {

  private final ClusterName cluster;
  private final ArchiveCalls calls;
  private final TransportChooser transports;
  private final WalFraming framing;
  private final AckWindow window;
  private final WalFraming.Pieces toWindow;
  private NegotiateResponse negotiated;
  private final Set<Long> histories = new HashSet<>();
  private long segmentBytes;

  /**
   * @param walSocket opens the server's WAL socket, which a synchronous sink streams over when the
   *     server offers one (null: always the gRPC Stream call)
   * @param onStreamFailure called (from a gRPC or WAL socket thread) when the stream fails, so that
   *     a receiver blocked reading from PostgreSQL can be stopped and reconnect
   */
  RemoteWalSink(
      ManagedChannel channel,
      KlioClientOptions options,
      WalSocket.Dialer walSocket,
      Runnable onStreamFailure) {
    this.cluster = options.cluster();
    this.calls = new ArchiveCalls(channel, options);
    this.transports = new TransportChooser(channel, walSocket);
    this.framing = new WalFraming(options.compressionLevel());
    this.window =
        new AckWindow(options.acknowledgementTimeout(), options.synchronous(), onStreamFailure);
    this.toWindow = window::data;
  }

  @Override
  public Optional<SystemIdentifier> systemIdentifier() throws IOException {
    ArchiveInfo info = calls.info();
    return info.getWalSegmentSize() == 0
        ? Optional.empty()
        : Optional.of(new SystemIdentifier(info.getSystemIdentifier()));
  }

  @Override
  public void open(StreamInfo info, DurabilityListener durabilityListener) throws IOException {
    window.close();
    negotiated = calls.negotiate(info);
    histories.clear();
    negotiated.getHistoryTimelinesList().forEach(t -> histories.add((long) t));
    segmentBytes = info.segmentSize().bytes();
    AckWindow.Acks acks = window.open(durabilityListener);
    window.attach(acks, transports.open(negotiated.getWalSocketPort(), acks));
    window.send(
        StreamRequest.newBuilder()
            .setStart(
                StreamStart.newBuilder()
                    .setCluster(cluster.value())
                    .setSystemIdentifier(info.systemId().value())
                    .setWalSegmentSize(info.segmentSize().bytes())
                    .setServerMajor(info.serverMajor()))
            .build());
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
   * Sends WAL, cut at segment ends and compressed as {@link WalFraming} does; in synchronous mode
   * the last piece is held until the flush or flush request that follows it, and both travel as one
   * message.
   */
  @Override
  public void write(TimelineId timeline, Lsn start, byte[] data, int offset, int length)
      throws IOException {
    framing.frame(segmentBytes, timeline, start, data, offset, length, toWindow);
  }

  /** Asks the server to fsync now and waits for its acknowledgement. */
  @Override
  public void flush() throws IOException {
    window.awaitAcknowledged(window.requestFlush());
  }

  /**
   * Asks the server to fsync now without waiting: its acknowledgement reaches the durability
   * listener from the transport's thread, while the receiver goes on reading WAL. Fails when an
   * earlier request has waited longer than the acknowledgement timeout.
   */
  @Override
  public boolean requestFlush() throws IOException {
    window.requestFlush();
    return true;
  }

  @Override
  public void endOfTimeline(TimelineId timeline, Lsn end) throws IOException {
    window.send(
        StreamRequest.newBuilder()
            .setEndOfTimeline(
                EndOfTimeline.newBuilder()
                    .setTimeline((int) timeline.value())
                    .setEndLsn(end.value()))
            .build());
  }

  @Override
  public void writeHistory(TimelineId timeline, byte[] content) throws IOException {
    window.send(
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
    return window.durable();
  }

  /** Ends the stream; the server flushes and acknowledges what it received. */
  @Override
  public void close() throws IOException {
    if (window.isOpen()) {
      try {
        flush();
      } catch (IOException e) {
        // the server went away; nothing more can be acknowledged
      }
    }
    window.close();
  }

  @Override
  public String toString() {
    return "the Klio archive of cluster " + cluster;
  }
}
