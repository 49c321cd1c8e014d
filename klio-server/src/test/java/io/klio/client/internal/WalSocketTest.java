package io.klio.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.api.grpc.v1.StreamStart;
import io.klio.client.KlioClientOptions;
import io.klio.client.WalFetcher;
import io.klio.client.wire.StatusMapping;
import io.klio.client.wire.WalSocketProtocol;
import io.klio.server.KlioServer;
import io.klio.server.config.ClientConfig;
import io.klio.server.config.ServerConfig;
import io.klio.testkit.tls.TestCertificateAuthority;
import io.klio.walstream.WalSink;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (In klio-server's tests because it needs a real server; in the client's package because it
 * reaches its package-private parts.)
 *
 * <p>The WAL socket between a real server and client in this JVM, with mutual TLS: a synchronous
 * sink streams over it and each flush is acknowledged; a certificate of another cluster, one from
 * another CA and a peer that does not speak the protocol are refused with a reason; a client that
 * cannot reach the socket streams over gRPC instead.
 */
class WalSocketTest {

  private static final WalSegmentSize SIZE = WalSegmentSize.ofBytes(16 << 20);
  private static final long START = 16L << 20; // 0/1000000: segment 1 of timeline 1

  @TempDir Path dir;

  @BeforeEach
  void certificates() throws IOException {
    TestCertificateAuthority ca = TestCertificateAuthority.create("klio test CA");
    ca.writeCertificate(dir.resolve("ca.crt"));
    ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"))
        .write(dir.resolve("server.crt"), dir.resolve("server.key"));
    ca.issueClient("main").write(dir.resolve("main.crt"), dir.resolve("main.key"));
    ca.issueClient("other").write(dir.resolve("other.crt"), dir.resolve("other.key"));
    TestCertificateAuthority.create("another CA")
        .issueClient("main")
        .write(dir.resolve("stranger.crt"), dir.resolve("stranger.key"));
    Files.writeString(
        dir.resolve("server.yaml"),
        String.join(
                "\n",
                "listen: 127.0.0.1:0",
                "tier1:",
                "  path: " + dir.resolve("tier1"),
                "tls:",
                "  certificate: " + dir.resolve("server.crt"),
                "  key: " + dir.resolve("server.key"),
                "  clientCa: " + dir.resolve("ca.crt"),
                "wal:",
                "  socketListen: 127.0.0.1:0",
                "http:",
                "  listen: 127.0.0.1:0")
            + "\n");
  }

  private KlioServer startServer() throws IOException {
    return KlioServer.start(ServerConfig.load(dir.resolve("server.yaml")), "test");
  }

  private KlioClientOptions client(KlioServer server, String cert) throws IOException {
    Path yaml = dir.resolve(cert + ".yaml");
    Files.writeString(
        yaml,
        String.join(
                "\n",
                "cluster: main",
                "server: 127.0.0.1:" + server.port(),
                "tls:",
                "  certificate: " + dir.resolve(cert + ".crt"),
                "  key: " + dir.resolve(cert + ".key"),
                "  ca: " + dir.resolve("ca.crt"),
                "  serverName: localhost",
                "postgres:",
                "  synchronous: true")
            + "\n");
    return ClientConfig.load(yaml).client();
  }

  private static String socketStreams(KlioServer server) throws IOException {
    try (var in =
        URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics").toURL().openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> l.startsWith("klio_wal_socket_streams_total "))
          .findFirst()
          .orElseThrow();
    }
  }

  /**
   * Streams 2 MiB in pieces, most followed by a flush request that is not waited for (as the
   * receiver does in synchronous mode), then a flush that is; the durability listener and the
   * sink's durable position reach the end, and the journal holds the WAL byte for byte.
   */
  private static byte[] streamAndFlush(WalSink sink, AtomicReference<Lsn> reported)
      throws IOException {
    byte[] wal = new byte[2 << 20];
    new Random(3).nextBytes(wal);
    sink.open(new WalSink.StreamInfo(new SystemIdentifier(42), SIZE, 15), lsn -> reported.set(lsn));
    Random r = new Random(9);
    for (int at = 0; at < wal.length; ) {
      int n = Math.min(wal.length - at, 1 + r.nextInt(20_000));
      sink.write(TimelineId.of(1), Lsn.of(START + at), wal, at, n);
      if (r.nextInt(4) != 0) { // the others go as data without a flush request
        assertThat(sink.requestFlush()).isTrue();
      }
      at += n;
    }
    sink.flush();
    assertThat(sink.durableLsn()).isEqualTo(Lsn.of(START + wal.length));
    // the listener hears of the last acknowledgement from the thread that read it, just after
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Lsn.of(START + wal.length).equals(reported.get()) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(reported.get()).isEqualTo(Lsn.of(START + wal.length));
    sink.close();
    return wal;
  }

  /** What the server serves for segment 1: its .partial, the WAL received so far. */
  private static byte[] partial(ManagedChannel channel, KlioClientOptions options)
      throws IOException {
    WalFetcher.Fetched f =
        new GrpcWalFetcher(channel, options)
            .fetch("000000010000000000000001", Duration.ofSeconds(30));
    assertThat(f.partial()).isTrue();
    return f.content();
  }

  /**
   * Streams through the sink {@code make} builds, then checks which transport the server saw and
   * that it serves what was streamed.
   */
  private void streamsAndServes(SinkFactory make, String expectedSocketStreams) throws Exception {
    try (KlioServer server = startServer()) {
      KlioClientOptions c = client(server, "main");
      ManagedChannel channel = Channels.open(c);
      try {
        byte[] wal = streamAndFlush(make.sink(c, channel), new AtomicReference<>());
        assertThat(socketStreams(server)).isEqualTo(expectedSocketStreams);
        assertThat(partial(channel, c)).startsWith(wal);
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @FunctionalInterface
  private interface SinkFactory {
    WalSink sink(KlioClientOptions c, ManagedChannel channel) throws IOException;
  }

  @Test
  void aSynchronousSinkStreamsOverTheWalSocketAndEveryFlushIsAcknowledged() throws Exception {
    streamsAndServes(
        (c, channel) -> new ServerConnection(c, channel).walSink(() -> {}),
        "klio_wal_socket_streams_total 1");
  }

  @Test
  void aClientThatCannotReachTheWalSocketStreamsOverGrpc() throws Exception {
    streamsAndServes(
        (c, channel) ->
            new RemoteWalSink(
                channel,
                c,
                // the server listens on 127.0.0.1 only: 127.0.0.2 refuses the connection
                new WalSocket.Dialer("127.0.0.2", java.util.Optional.of(tlsOf(c)), "localhost"),
                () -> {}),
        "klio_wal_socket_streams_total 0");
  }

  @Test
  void aCertificateOfAnotherClusterIsRefusedWithItsName() throws Exception {
    try (KlioServer server = startServer()) {
      WalSocket.Dialer other = WalSocket.Dialer.of(client(server, "other"));
      Outcome o = new Outcome();
      try (WalSocket s = other.connect(server.walSocketPort(), o)) {
        s.send(start("main"));
        Throwable t = o.failure.get(30, TimeUnit.SECONDS);
        Status status = Status.fromThrowable(t);
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).contains("'other'").contains("'main'");
      }
    }
  }

  @Test
  void aCertificateFromAnotherCaIsRefused() throws Exception {
    try (KlioServer server = startServer()) {
      WalSocket.Dialer stranger = WalSocket.Dialer.of(client(server, "stranger"));
      Outcome o = new Outcome();
      Throwable failure;
      try (WalSocket s = stranger.connect(server.walSocketPort(), o)) {
        // TLS 1.3: the client's handshake ends before the server checks its certificate; the
        // server's alert arrives on the first read
        failure = o.failure.get(30, TimeUnit.SECONDS);
      } catch (SSLException e) {
        failure = e;
      }
      assertThat(failure).isInstanceOf(SSLException.class);
      assertThat(StatusMapping.toException(failure))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("TLS with the Klio server failed");
      assertThat(socketStreams(server)).isEqualTo("klio_wal_socket_streams_total 0");
    }
  }

  @Test
  void aPeerThatDoesNotSpeakTheProtocolIsToldSo() throws Exception {
    try (KlioServer server = startServer()) {
      KlioClientOptions c = client(server, "main");
      SSLContext tls = tlsOf(c);
      try (Socket plain = new Socket("127.0.0.1", server.walSocketPort());
          SSLSocket s =
              (SSLSocket)
                  tls.getSocketFactory()
                      .createSocket(plain, "localhost", server.walSocketPort(), true)) {
        s.setSoTimeout(30_000);
        // what a gRPC client sends first
        s.getOutputStream()
            .write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        WalSocketProtocol.Frame f =
            WalSocketProtocol.read(new DataInputStream(s.getInputStream()), "the server");
        assertThat((char) f.type()).isEqualTo((char) WalSocketProtocol.ERROR);
        Status status = WalSocketProtocol.status(f.payload());
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains("not a Klio WAL socket client");
      }
    }
  }

  private static SSLContext tlsOf(KlioClientOptions c) throws IOException {
    return ClientTls.context(c.tls().orElseThrow());
  }

  private static StreamRequest start(String cluster) {
    return StreamRequest.newBuilder()
        .setStart(
            StreamStart.newBuilder()
                .setCluster(cluster)
                .setSystemIdentifier(42)
                .setWalSegmentSize(SIZE.bytes())
                .setServerMajor(15))
        .build();
  }

  /** What the server answered on a raw WAL socket. */
  private static final class Outcome implements StreamObserver<StreamResponse> {
    final CompletableFuture<Throwable> failure = new CompletableFuture<>();

    @Override
    public void onNext(StreamResponse value) {}

    @Override
    public void onError(Throwable t) {
      failure.complete(t);
    }

    @Override
    public void onCompleted() {
      failure.completeExceptionally(new AssertionError("the stream completed"));
    }
  }
}
