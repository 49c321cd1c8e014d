package io.klio.server.cnpg;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.klio.client.KlioConnection;
import io.klio.cnpgi.KlioIdentity;
import io.klio.cnpgi.identity.v1.PluginCapability;
import io.klio.server.config.ClientConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CNPG-I plugin of one PostgreSQL instance: gRPC without TLS on a unix socket (CloudNativePG's
 * instance manager connects to every socket in {@code /plugins} and names the plugin after the
 * file), serving Identity, WAL (restore), Backup and RestoreJobHooks, with one warm connection to
 * the Klio server of the client configuration.
 *
 * <p><b>Lifecycle.</b> {@link #start} binds the socket (replacing a socket file no process listens
 * on any more, as a restarted container finds it) and returns once calls are served; {@link #close}
 * stops taking calls, lets running ones finish for up to 10 s, and removes the socket file.
 * Thread-safe.
 */
public final class PluginServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PluginServer.class);

  /**
   * The plugin's name: CloudNativePG's {@code .spec.plugins[].name}, and its socket's file name.
   */
  public static final String NAME = KlioIdentity.NAME;

  private final Path socket;
  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ServerLink link;
  private final WalRestorer restorer;

  private PluginServer(
      Path socket,
      Server server,
      EventLoopGroup boss,
      EventLoopGroup workers,
      ServerLink link,
      WalRestorer restorer) {
    this.socket = socket;
    this.server = server;
    this.boss = boss;
    this.workers = workers;
    this.link = link;
    this.restorer = restorer;
  }

  /**
   * Serves on {@code socket} with the connection settings of {@code config}.
   *
   * @throws io.klio.api.error.PermanentException when the TLS files of the configuration cannot be
   *     used (the message names them)
   * @throws IOException when the socket cannot be served: unix sockets unavailable here (Netty's
   *     epoll transport needs Linux), its directory missing, a file there that is no socket, or
   *     another process serving on it
   */
  public static PluginServer start(Path socket, ClientConfig.Resolved config, String version)
      throws IOException {
    if (!Epoll.isAvailable()) {
      throw new IOException(
          "unix sockets need Netty's epoll transport (Linux on x86_64 or aarch64): "
              + Epoll.unavailabilityCause());
    }
    SocketFile.claim(socket);
    KlioConnection connection = KlioConnection.open(config.client());
    ServerLink link = new ServerLink(connection);
    WalRestorer restorer =
        new WalRestorer(link, config.getWalTimeout(), config.spool(), config.prefetch());
    Optional<Path> pgdata = dataDirectory(config);
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    Server server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            .addService(
                new KlioIdentity(
                    version,
                    "PostgreSQL WAL archive and base backups on a Klio server: WAL restore, base"
                        + " backups and recovery for CloudNativePG",
                    link::reachable,
                    // in every phase of a Pod's life: CloudNativePG's main branch bootstraps inside
                    // the instance Pod, so the same sidecar serves the restore
                    List.of(
                        PluginCapability.Service.Type.TYPE_WAL_SERVICE,
                        PluginCapability.Service.Type.TYPE_BACKUP_SERVICE,
                        PluginCapability.Service.Type.TYPE_RESTORE_JOB)))
            .addService(new WalService(restorer))
            .addService(
                new BackupService(new PluginBackup(connection.backups(), config, pgdata, version)))
            .addService(
                new RestoreJobService(
                    new PluginRestore(
                        connection.restores(), pgdata, OptionalInt.of(config.backup().jobs()))))
            .build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      restorer.close();
      link.close();
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException("cannot serve on " + socket + ": " + e.getMessage(), e);
    }
    LOG.info(
        "ready: serving CNPG-I plugin {} {} on {} (Identity; WAL: restore; Backup;"
            + " RestoreJobHooks) for cluster {}, Klio server {}, data directory {}",
        NAME,
        version,
        socket,
        link.cluster(),
        link.server(),
        pgdata.map(Path::toString).orElse("unknown (no backup.pgdata, no PGDATA)"));
    return new PluginServer(socket, server, boss, workers, link, restorer);
  }

  /**
   * The instance's data directory, which Backup reads and Restore writes: {@code backup.pgdata} of
   * the configuration, else {@code $PGDATA} (set by CloudNativePG in its containers).
   */
  static Optional<Path> dataDirectory(ClientConfig.Resolved config) {
    return config
        .backup()
        .pgdata()
        .or(
            () ->
                Optional.ofNullable(System.getenv("PGDATA"))
                    .filter(s -> !s.isBlank())
                    .map(Path::of));
  }

  public Path socket() {
    return socket;
  }

  /** Waits until {@link #close} has stopped the server. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    restorer.close();
    link.close();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      LOG.warn("could not remove the socket {}: {}", socket, e.toString());
    }
    LOG.info("stopped serving on {}", socket);
  }
}
