package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.klio.api.WalSegmentSize;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.api.grpc.v1.StreamStart;
import io.klio.api.grpc.v1.WalData;
import io.klio.api.grpc.v1.WalServiceGrpc;
import io.klio.server.KlioServer;
import io.klio.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's WAL stream over real gRPC: messages that ask for a flush are handled either on the
 * transport thread (nothing queued) or by the session's worker (something queued); whichever thread
 * takes them, they must land in the journal in order and be acknowledged in order.
 */
class StreamSessionTest {

  private static final WalSegmentSize SIZE = WalSegmentSize.ofBytes(16 << 20);
  private static final long START = 16L << 20; // 0/1000000, the start of segment 1 on timeline 1

  @TempDir Path dir;

  @Test
  void flushRequestsSentWithoutWaitingLandInOrderWhicheverThreadHandlesThem() throws Exception {
    Path yaml = dir.resolve("server.yaml");
    Files.writeString(
        yaml,
        "listen: 127.0.0.1:0\ntier1:\n  path: "
            + dir.resolve("tier1")
            + "\ntls:\n  insecure: true\n");
    byte[] wal = new byte[3 << 20];
    new Random(11).nextBytes(wal);
    List<StreamResponse> acks = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    int messages = 0;
    long lastSequence = 0;
    try (KlioServer server = KlioServer.start(ServerConfig.load(yaml), "test")) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        StreamObserver<StreamRequest> requests =
            WalServiceGrpc.newStub(channel).stream(
                new StreamObserver<>() {
                  @Override
                  public void onNext(StreamResponse r) {
                    acks.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(null);
                  }
                });
        requests.onNext(
            StreamRequest.newBuilder()
                .setStart(
                    StreamStart.newBuilder()
                        .setCluster("main")
                        .setSystemIdentifier(42)
                        .setWalSegmentSize(SIZE.bytes())
                        .setServerMajor(15))
                .build());
        // pieces of 1 to 4000 bytes, most asking for a flush, sent as fast as gRPC takes them: some
        // arrive while the worker is busy (queued), some when it is idle (handled in place)
        Random r = new Random(5);
        for (int at = 0; at < wal.length; messages++) {
          int n = Math.min(wal.length - at, 1 + r.nextInt(4000));
          WalData.Builder d =
              WalData.newBuilder()
                  .setTimeline(1)
                  .setStartLsn(START + at)
                  .setData(ByteString.copyFrom(wal, at, n));
          if (r.nextInt(4) != 0) {
            d.setFlushSequence(++lastSequence);
          }
          requests.onNext(StreamRequest.newBuilder().setData(d).build());
          at += n;
        }
        requests.onCompleted();
        ended.get(60, TimeUnit.SECONDS);
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }

    assertThat(messages).isGreaterThan(1000);
    // acknowledgements never go back, and the last covers everything and every flush request
    List<Long> durable = new ArrayList<>();
    List<Long> sequences = new ArrayList<>();
    for (StreamResponse a : acks) {
      durable.add(a.getDurableLsn());
      sequences.add(a.getFlushSequence());
    }
    assertThat(durable).isSorted();
    assertThat(sequences).isSorted();
    assertThat(durable.get(durable.size() - 1)).isEqualTo(START + wal.length);
    assertThat(sequences.get(sequences.size() - 1)).isEqualTo(lastSequence);

    Path journal;
    try (Stream<Path> files = Files.walk(dir.resolve("tier1"))) {
      journal =
          files
              .filter(p -> p.getFileName().toString().endsWith(JournalFile.PARTIAL))
              .findFirst()
              .orElseThrow();
    }
    JournalFile.Contents c = JournalFile.read(journal, SIZE);
    assertThat(c.covered()).isEqualTo(wal.length);
    assertThat(c.tornBytes()).isZero();
    assertThat(Arrays.equals(c.wal(wal.length), wal)).isTrue();
  }
}
