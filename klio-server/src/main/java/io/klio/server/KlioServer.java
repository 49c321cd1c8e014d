package io.klio.server;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.klio.api.grpc.v1.RelayStatus;
import io.klio.api.grpc.v1.WalServiceGrpc;
import io.klio.crypto.Keks;
import io.klio.crypto.KeyRing;
import io.klio.crypto.KeyRingStore;
import io.klio.crypto.SealedObjects;
import io.klio.dedup.repo.ChunkRepository;
import io.klio.server.backup.BackupMetrics;
import io.klio.server.backup.BackupServiceImpl;
import io.klio.server.backup.Tier1Repository;
import io.klio.server.config.ConfigException;
import io.klio.server.config.ServerConfig;
import io.klio.server.grpc.ClientIdentity;
import io.klio.server.http.HealthEndpoints;
import io.klio.server.relay.Relay;
import io.klio.server.wal.AdminServiceImpl;
import io.klio.server.wal.Archives;
import io.klio.server.wal.Metrics;
import io.klio.server.wal.StreamRegistry;
import io.klio.server.wal.WalServiceImpl;
import io.klio.server.wal.WalSocketServer;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Klio server: Tier 1 WAL archives of several clusters behind the gRPC API (mTLS by default),
 * with Prometheus metrics and health endpoints over HTTP.
 */
public final class KlioServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KlioServer.class);

  private final BlobStore store;
  private final Archives archives;
  private final StreamRegistry streams;
  private final BackupServiceImpl backups;
  private final Server grpc;
  private final HealthEndpoints http; // null when HTTP is off
  private final WalSocketServer walSocket; // null when not configured
  private final AtomicBoolean ready;
  private final Optional<Relay> relay;

  private KlioServer(
      BlobStore store,
      Archives archives,
      StreamRegistry streams,
      BackupServiceImpl backups,
      Server grpc,
      HealthEndpoints http,
      WalSocketServer walSocket,
      AtomicBoolean ready,
      Optional<Relay> relay) {
    this.store = store;
    this.archives = archives;
    this.streams = streams;
    this.backups = backups;
    this.grpc = grpc;
    this.http = http;
    this.walSocket = walSocket;
    this.ready = ready;
    this.relay = relay;
  }

  public static KlioServer start(ServerConfig.Resolved c, String version) throws IOException {
    Files.createDirectories(c.tier1());
    BlobStore store = BlobStores.open(c.tier1().toUri().toString());
    Optional<Relay> relay = Optional.empty();
    if (c.tier2().isPresent()) {
      BlobStore tier2 = BlobStores.open(c.tier2().get().uri());
      relay = Optional.of(Relay.start(store, c.tier1(), tier2, c.tier2().get()));
      store = relay.get().tier1(); // every put recorded for the relay, deletes pinned
    }
    SealedObjects sealed;
    Optional<KeyRing> keyRing = Optional.empty();
    java.util.concurrent.CountDownLatch warmedUp = new java.util.concurrent.CountDownLatch(1);
    if (c.kek().isPresent()) {
      KeyRingStore rings = new KeyRingStore(store);
      if (rings.latestVersion().isEmpty()) {
        throw new ConfigException(
            "encryption.kek is set but Tier 1 ("
                + c.tier1()
                + ") has no key ring; create one with: klio keys generate --repository "
                + c.tier1().toUri()
                + " --kek <the same key source>");
      }
      KeyRing ring = rings.load(Keks.open(c.kek().get()));
      sealed = SealedObjects.encrypted(ring);
      keyRing = Optional.of(ring);
      LOG.info(
          "encryption at rest on: repository {}, active data key {}",
          ring.repositoryId(),
          ring.activeKey().id());
      Thread warm =
          new Thread(
              () -> {
                try {
                  long ms = SealedObjects.warmUp(Duration.ofSeconds(15));
                  LOG.info("encryption path warmed up in {} ms", ms);
                } catch (IOException e) {
                  LOG.warn("encryption warm-up failed: {}", e.getMessage());
                } finally {
                  warmedUp.countDown();
                }
              },
              "klio-crypto-warmup");
      warm.setDaemon(true);
      warm.start();
    } else {
      sealed = SealedObjects.plain();
      warmedUp.countDown();
      LOG.warn("encryption at rest is OFF: no encryption.kek configured");
    }
    Archives archives = new Archives(store, c.tier1(), sealed, c.compression());
    Metrics metrics = new Metrics();
    StreamRegistry streams = new StreamRegistry(archives, metrics, c.flushInterval());
    boolean tls = c.tls().isPresent();
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(c.listen().getHostString(), c.listen().getPort()))
            .maxInboundMessageSize(16 << 20)
            .flowControlWindow(8 << 20)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .callExecutor(KlioServer::callExecutor);
    if (tls) {
      ServerConfig.TlsFiles f = c.tls().get();
      b.sslContext(
          GrpcSslContexts.forServer(f.certificate().toFile(), f.key().toFile())
              .trustManager(f.clientCa().toFile())
              .clientAuth(ClientAuth.REQUIRE)
              .build());
    } else {
      LOG.warn("*****************************************************************");
      LOG.warn("INSECURE MODE: no TLS, no client authentication. Any client can");
      LOG.warn("read and write the WAL of every cluster. Local development only.");
      LOG.warn("*****************************************************************");
    }
    WalSocketServer walSocket = null;
    if (c.walSocket().isPresent()) {
      Optional<SSLContext> socketTls = Optional.empty();
      if (tls) {
        ServerConfig.TlsFiles f = c.tls().get();
        socketTls =
            Optional.of(
                WalSocketServer.tls(
                    f.certificate().toFile(), f.key().toFile(), f.clientCa().toFile()));
      }
      walSocket = WalSocketServer.start(c.walSocket().get(), socketTls, streams, metrics);
    }
    b.addService(
        ServerInterceptors.intercept(
            new WalServiceImpl(
                archives, streams, metrics, walSocket == null ? 0 : walSocket.port()),
            ClientIdentity.interceptor(tls)));
    ChunkRepository repo = Tier1Repository.openOrCreate(store, keyRing);
    Tier1Repository.checkHeap(repo, Runtime.getRuntime().maxMemory());
    BackupMetrics backupMetrics = new BackupMetrics();
    BackupServiceImpl backups =
        BackupServiceImpl.start(
            store,
            c.tier1(),
            sealed,
            repo,
            keyRing.map(KeyRing::chunkIdKey),
            archives,
            c.backupWalTimeout(),
            backupMetrics);
    b.addService(ServerInterceptors.intercept(backups, ClientIdentity.interceptor(tls)));
    b.addService(
        ServerInterceptors.intercept(
            new AdminServiceImpl(
                archives, c.admins(), version, relay.map(r -> (Supplier<RelayStatus>) r::status)),
            ClientIdentity.interceptor(tls)));
    Server grpc = b.build().start();
    AtomicBoolean ready = new AtomicBoolean();
    Optional<Relay> relayForMetrics = relay;
    HealthEndpoints http = null;
    if (c.http().isPresent()) {
      http =
          HealthEndpoints.start(
              c.http().get(),
              () -> ready.get() && warmedUp.getCount() == 0,
              Optional.of(
                  () -> {
                    StringBuilder m = new StringBuilder(metrics.render(archives));
                    backupMetrics.render(m, backups.running());
                    relayForMetrics.ifPresent(r -> r.render(m));
                    return m.toString();
                  }));
    }
    KlioServer server =
        new KlioServer(store, archives, streams, backups, grpc, http, walSocket, ready, relay);
    ready.set(true);
    LOG.info(
        "Klio server {} listening on {} ({}){}, Tier 1 at {}{}",
        version,
        grpc.getListenSockets(),
        tls ? "mTLS" : "INSECURE",
        walSocket == null
            ? ""
            : ", WAL socket on " + c.walSocket().get().getHostString() + ":" + walSocket.port(),
        c.tier1(),
        http == null ? "" : ", metrics on " + http.url() + "/metrics");
    return server;
  }

  /**
   * WAL streams take their messages on the transport's thread: the session queues them for its
   * worker, or writes, fsyncs and acknowledges a synchronous client's flush request right there
   * when nothing is queued (StreamSession), which saves a synchronous commit two thread hand-offs.
   * Every other call may block longer (reads from Tier 1, decryption) and runs on the default
   * executor.
   */
  private static <Q, R> Executor callExecutor(ServerCall<Q, R> call, Metadata headers) {
    return call.getMethodDescriptor()
            .getFullMethodName()
            .equals(WalServiceGrpc.getStreamMethod().getFullMethodName())
        ? Runnable::run
        : null;
  }

  /** The gRPC port (useful when configured as 0). */
  public int port() {
    return ((InetSocketAddress) grpc.getListenSockets().get(0)).getPort();
  }

  /** The WAL socket's port, or -1 when there is none. */
  public int walSocketPort() {
    return walSocket == null ? -1 : walSocket.port();
  }

  /** The HTTP port, or -1 when HTTP is off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  /**
   * Graceful shutdown: stop accepting calls; let each WAL stream write, flush and acknowledge what
   * it already received, then complete; stop the archivers after their current segment.
   */
  @Override
  public void close() throws IOException {
    ready.set(false);
    LOG.info("shutting down: no new calls; flushing and acknowledging open WAL streams");
    grpc.shutdown();
    if (walSocket != null) {
      walSocket.stopAccepting();
    }
    streams.endAll();
    if (walSocket != null) {
      walSocket.close();
    }
    backups.close(); // running backups are aborted: they cannot outlive the server
    try {
      if (!grpc.awaitTermination(10, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
        grpc.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      grpc.shutdownNow();
    }
    archives.close();
    if (relay.isPresent()) {
      relay.get().close(); // what waits stays in the outbox for the next start
    }
    if (http != null) {
      http.close();
    }
    store.close();
    LOG.info("stopped");
  }
}
