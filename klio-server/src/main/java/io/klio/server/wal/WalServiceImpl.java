package io.klio.server.wal;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.klio.api.ClusterName;
import io.klio.api.SystemIdentifier;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.grpc.v1.ArchiveInfo;
import io.klio.api.grpc.v1.FileData;
import io.klio.api.grpc.v1.Gap;
import io.klio.api.grpc.v1.GetFileRequest;
import io.klio.api.grpc.v1.GetInfoRequest;
import io.klio.api.grpc.v1.NegotiateRequest;
import io.klio.api.grpc.v1.NegotiateResponse;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.api.grpc.v1.WalServiceGrpc;
import io.klio.client.wire.StatusMapping;
import io.klio.server.grpc.ClientIdentity;
import io.klio.walstream.WalSink;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** The WAL service (klio/v1/wal.proto) over the server's {@link Archives}. */
public final class WalServiceImpl extends WalServiceGrpc.WalServiceImplBase {

  private static final int PIECE = 1 << 20;

  private final Archives archives;
  private final StreamRegistry streams;
  private final Metrics metrics;
  private final int walSocketPort;

  /**
   * @param walSocketPort the port of the WAL socket ({@link WalSocketServer}) offered to clients, 0
   *     when there is none
   */
  public WalServiceImpl(
      Archives archives, StreamRegistry streams, Metrics metrics, int walSocketPort) {
    this.archives = archives;
    this.streams = streams;
    this.metrics = metrics;
    this.walSocketPort = walSocketPort;
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  private <T> void unary(StreamObserver<T> out, Call<T> call) {
    try {
      T result = call.run();
      out.onNext(result);
      out.onCompleted();
    } catch (IOException | RuntimeException e) {
      if (!(e instanceof NotFoundException)) {
        metrics.error();
      }
      out.onError(StatusMapping.toStatus(e));
    }
  }

  private ClusterArchive archive(String cluster) throws IOException {
    ClientIdentity.authorize(cluster);
    try {
      return archives.get(ClusterName.of(cluster));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid cluster name: " + e.getMessage(), e);
    }
  }

  @Override
  public void negotiate(NegotiateRequest req, StreamObserver<NegotiateResponse> out) {
    unary(
        out,
        () -> {
          ClusterArchive a = archive(req.getCluster());
          a.register(
              new SystemIdentifier(req.getSystemIdentifier()),
              WalSegmentSize.ofBytes(req.getWalSegmentSize()),
              req.getServerMajor());
          NegotiateResponse.Builder b =
              NegotiateResponse.newBuilder().setWalSocketPort(walSocketPort);
          Optional<WalSink.StoredSegment> newest = a.newestSegment();
          newest.ifPresent(
              n -> b.setNewestSegment(n.segment().toString()).setNewestIsPartial(n.partial()));
          for (long t : a.historyTimelines()) {
            b.addHistoryTimelines((int) t);
          }
          return b.build();
        });
  }

  @Override
  public StreamObserver<StreamRequest> stream(StreamObserver<StreamResponse> out) {
    return streams.newSession((ServerCallStreamObserver<StreamResponse>) out, false);
  }

  @Override
  public void getFile(GetFileRequest req, StreamObserver<FileData> out) {
    ClusterArchive.Fetched f;
    try {
      f = archive(req.getCluster()).fetch(req.getName());
    } catch (IOException | RuntimeException e) {
      if (!(e instanceof NotFoundException)) {
        metrics.error();
      }
      out.onError(StatusMapping.toStatus(e));
      return;
    }
    byte[] c = f.content();
    int off = 0;
    do {
      int n = Math.min(PIECE, c.length - off);
      FileData.Builder b = FileData.newBuilder().setData(ByteString.copyFrom(c, off, n));
      if (off == 0) {
        b.setSize(c.length).setPartial(f.partial());
      }
      out.onNext(b.build());
      off += n;
    } while (off < c.length);
    out.onCompleted();
  }

  @Override
  public void getInfo(GetInfoRequest req, StreamObserver<ArchiveInfo> out) {
    unary(
        out,
        () -> {
          ClusterArchive a = archive(req.getCluster());
          ArchiveInfo.Builder b = ArchiveInfo.newBuilder().setCluster(req.getCluster());
          Optional<ClusterMeta> m = a.meta();
          if (m.isEmpty()) {
            return b.build();
          }
          WalSegmentSize size = m.get().segmentSize();
          b.setSystemIdentifier(m.get().systemId().value())
              .setWalSegmentSize(size.bytes())
              .setServerMajor(m.get().serverMajor())
              .setDurableLsn(a.durableLsn().value());
          Optional<WalHoldings.Position> newest = a.holdings().newest();
          if (newest.isPresent()) {
            b.setNewestLsn(newest.get().lsn().value())
                .setNewestTimeline((int) newest.get().timeline().value())
                .setNewestTimeMs(a.newestTimeMs());
          }
          Map<Long, TreeSet<Long>> byTimeline = a.segmentsByTimeline();
          String first = null;
          String last = null;
          for (Map.Entry<Long, TreeSet<Long>> e : byTimeline.entrySet()) {
            b.addTimelines(e.getKey().intValue());
            io.klio.api.TimelineId tl = io.klio.api.TimelineId.of(e.getKey());
            long prev = -1;
            for (long n : e.getValue()) {
              String name = WalFileName.Segment.of(tl, n, size).toString();
              if (first == null) {
                first = name;
              }
              last = name;
              if (prev >= 0 && n > prev + 1) {
                b.addGaps(
                    Gap.newBuilder()
                        .setFromSegment(WalFileName.Segment.of(tl, prev + 1, size).toString())
                        .setToSegment(WalFileName.Segment.of(tl, n - 1, size).toString()));
              }
              prev = n;
            }
          }
          if (first != null) {
            b.setFirstSegment(first).setLastSegment(last);
          }
          return b.build();
        });
  }
}
