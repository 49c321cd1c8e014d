package io.klio.server.wal;

import io.grpc.stub.StreamObserver;
import io.klio.api.grpc.v1.AdminServiceGrpc;
import io.klio.api.grpc.v1.ClusterStatus;
import io.klio.api.grpc.v1.GetStatusRequest;
import io.klio.api.grpc.v1.RelayStatus;
import io.klio.api.grpc.v1.ServerStatus;
import io.klio.client.wire.StatusMapping;
import io.klio.server.grpc.ClientIdentity;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Server status for administrators (client certificates named in {@code admins}). */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {

  private final Archives archives;
  private final List<String> admins;
  private final String version;
  private final Optional<Supplier<RelayStatus>> relay;

  public AdminServiceImpl(
      Archives archives,
      List<String> admins,
      String version,
      Optional<Supplier<RelayStatus>> relay) {
    this.archives = archives;
    this.admins = admins;
    this.version = version;
    this.relay = relay;
  }

  @Override
  public void getStatus(GetStatusRequest req, StreamObserver<ServerStatus> out) {
    try {
      ClientIdentity.authorizeAdmin(admins);
      ServerStatus.Builder b = ServerStatus.newBuilder().setVersion(version);
      for (ClusterArchive a : archives.all()) {
        b.addClusters(
            ClusterStatus.newBuilder()
                .setCluster(a.name().value())
                .setStreaming(a.isStreaming())
                .setReceivedLsn(a.receivedLsn().value())
                .setDurableLsn(a.durableLsn().value())
                .setSegmentsStored(a.segmentsStored())
                .setLastSegment(a.lastSegment()));
      }
      relay.ifPresent(r -> b.setRelay(r.get()));
      out.onNext(b.build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(StatusMapping.toStatus(e));
    }
  }
}
