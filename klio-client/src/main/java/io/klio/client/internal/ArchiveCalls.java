package io.klio.client.internal;

import io.grpc.ManagedChannel;
import io.klio.api.ClusterName;
import io.klio.api.grpc.v1.ArchiveInfo;
import io.klio.api.grpc.v1.GetInfoRequest;
import io.klio.api.grpc.v1.NegotiateRequest;
import io.klio.api.grpc.v1.NegotiateResponse;
import io.klio.api.grpc.v1.WalServiceGrpc;
import io.klio.client.KlioClientOptions;
import io.klio.client.wire.StatusMapping;
import io.klio.walstream.WalSink;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The WAL service's unary calls about one cluster's archive ({@code GetInfo}, {@code Negotiate}),
 * each within the call timeout, failing as {@link StatusMapping#toException}. Thread-safe.
 */
final class ArchiveCalls {

  private final WalServiceGrpc.WalServiceBlockingStub stub;
  private final ClusterName cluster;
  private final Duration timeout;

  ArchiveCalls(ManagedChannel channel, KlioClientOptions options) {
    this.stub = WalServiceGrpc.newBlockingStub(channel);
    this.cluster = options.cluster();
    this.timeout = options.callTimeout();
  }

  private WalServiceGrpc.WalServiceBlockingStub withDeadline() {
    return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** What the archive holds ({@code wal_segment_size} 0: nothing yet). */
  ArchiveInfo info() throws IOException {
    return StatusMapping.call(
        () ->
            withDeadline()
                .getInfo(GetInfoRequest.newBuilder().setCluster(cluster.value()).build()));
  }

  /**
   * Registers the database system on first use, or checks it against the archive's ({@code
   * FAILED_PRECONDITION}, permanent, when another); where to resume, and which timelines' history
   * files the archive holds.
   */
  NegotiateResponse negotiate(WalSink.StreamInfo info) throws IOException {
    return StatusMapping.call(
        () ->
            withDeadline()
                .negotiate(
                    NegotiateRequest.newBuilder()
                        .setCluster(cluster.value())
                        .setSystemIdentifier(info.systemId().value())
                        .setWalSegmentSize(info.segmentSize().bytes())
                        .setServerMajor(info.serverMajor())
                        .build()));
  }
}
