package io.klio.server.cnpg;

import io.klio.client.KlioConnection;
import io.klio.client.WalFetcher;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's one connection to its Klio server, for the life of the process: opened at start and
 * kept warm by a cheap call ({@code GetInfo}) every {@link #KEEP_WARM}, which also keeps gRPC from
 * closing an idle channel (after 30 minutes), so that a restore after hours of quiet pays no TLS
 * handshake, and which logs when the server becomes unreachable or reachable again. Thread-safe.
 */
final class ServerLink implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServerLink.class);

  static final Duration KEEP_WARM = Duration.ofSeconds(60);

  private final KlioConnection connection;
  private final ScheduledExecutorService keeper =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "klio-plugin-keep-warm");
            t.setDaemon(true);
            return t;
          });
  private Boolean reachable; // guarded by this; null until the first check

  ServerLink(KlioConnection connection) {
    this.connection = connection;
    keeper.scheduleWithFixedDelay(this::reachable, 0, KEEP_WARM.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The connection, for the backup and restore hooks. */
  KlioConnection connection() {
    return connection;
  }

  WalFetcher fetcher() {
    return connection.walFetcher();
  }

  /** {@code host:port} of the server, as configured. */
  String server() {
    return connection.options().server().toString();
  }

  /** Whether the server answers for our cluster now (a call within the client's call timeout). */
  boolean reachable() {
    try {
      connection.walFetcher().segmentSize();
      note(true, "");
      return true;
    } catch (IOException e) {
      note(false, e.getMessage());
      return false;
    } catch (RuntimeException e) {
      note(false, e.toString());
      return false;
    }
  }

  private synchronized void note(boolean now, String why) {
    if (reachable != null && reachable == now) {
      return;
    }
    reachable = now;
    if (now) {
      LOG.info("the Klio server at {} answers for cluster {}", server(), cluster());
    } else {
      LOG.warn(
          "cannot reach the Klio server at {} for cluster {}: {} (Probe answers not ready)",
          server(),
          cluster(),
          why);
    }
  }

  String cluster() {
    return connection.options().cluster().value();
  }

  @Override
  public void close() {
    keeper.shutdownNow();
    connection.close();
  }
}
