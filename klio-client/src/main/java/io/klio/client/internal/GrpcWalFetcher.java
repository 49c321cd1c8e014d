package io.klio.client.internal;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.klio.api.ClusterName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.FileData;
import io.klio.api.grpc.v1.GetFileRequest;
import io.klio.api.grpc.v1.WalServiceGrpc;
import io.klio.client.KlioClientOptions;
import io.klio.client.WalFetcher;
import io.klio.client.wire.StatusMapping;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The {@link WalFetcher} over the WAL service's {@code GetInfo} and {@code GetFile}. */
final class GrpcWalFetcher implements WalFetcher {

  private final WalServiceGrpc.WalServiceBlockingStub stub;
  private final ClusterName cluster;
  private final ArchiveCalls calls;

  GrpcWalFetcher(ManagedChannel channel, KlioClientOptions options) {
    this.stub = WalServiceGrpc.newBlockingStub(channel);
    this.cluster = options.cluster();
    this.calls = new ArchiveCalls(channel, options);
  }

  @Override
  public Optional<WalSegmentSize> segmentSize() throws IOException {
    int size = calls.info().getWalSegmentSize();
    return size == 0 ? Optional.empty() : Optional.of(WalSegmentSize.ofBytes(size));
  }

  @Override
  public Fetched fetch(String name, Duration deadline) throws IOException {
    try {
      Iterator<FileData> it =
          stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
              .getFile(
                  GetFileRequest.newBuilder().setCluster(cluster.value()).setName(name).build());
      ByteArrayOutputStream out = null;
      boolean partial = false;
      long size = 0;
      while (it.hasNext()) {
        FileData d = it.next();
        if (out == null) {
          size = d.getSize();
          partial = d.getPartial();
          out = new ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE - 16));
        }
        d.getData().writeTo(out);
      }
      if (out == null || out.size() != size) {
        throw new RetryableException(
            "the Klio server sent "
                + (out == null ? 0 : out.size())
                + " of "
                + size
                + " bytes of "
                + name);
      }
      return new Fetched(out.toByteArray(), partial);
    } catch (StatusRuntimeException e) {
      throw StatusMapping.toException(e);
    }
  }
}
