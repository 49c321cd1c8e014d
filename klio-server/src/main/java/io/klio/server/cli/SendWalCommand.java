package io.klio.server.cli;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.client.KlioConnection;
import io.klio.server.config.ClientConfig;
import io.klio.server.config.ConfigException;
import io.klio.server.config.Logging;
import io.klio.server.http.HealthEndpoints;
import io.klio.walstream.ConnectionSettings;
import io.klio.walstream.ConnectionStrings;
import io.klio.walstream.PgConnection;
import io.klio.walstream.PostgresException;
import io.klio.walstream.WalReceiver;
import io.klio.walstream.WalReceiverOptions;
import io.klio.walstream.WalSink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code klio send-wal}: streams WAL from the primary next to it to the Klio server, reporting
 * flush to PostgreSQL only for what the server acknowledged as durable; reconnects with backoff
 * when either side restarts.
 */
@Command(
    name = "send-wal",
    mixinStandardHelpOptions = true,
    description = {
      "Streams WAL from the PostgreSQL primary to the Klio server through a replication slot",
      "(klio by default). Reports flush to PostgreSQL only for WAL the server has fsynced, so",
      "a synchronous_standby_names entry for 'klio' gives zero data loss. Reconnects with",
      "backoff when PostgreSQL or the server restarts; waits while PostgreSQL is a standby.",
      "Exit status 1: a failure waiting will not fix (wrong certificate, another database",
      "system under this cluster name); 2: invalid configuration."
    })
public final class SendWalCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(SendWalCommand.class);

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "the client configuration (YAML)")
  Path config;

  private volatile boolean stopping;
  private volatile WalReceiver current;

  @Override
  public Integer call() throws Exception {
    ClientConfig.Resolved c;
    ConnectionSettings settings;
    try {
      c = ClientConfig.load(config);
      settings = ConnectionStrings.resolve(c.connection(), Map.of("replication", "true"));
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("klio send-wal: invalid configuration: " + e.getMessage());
      return 2;
    }
    Logging.configure(c.logFormat(), c.logLevel());
    SendWalReadiness readiness = new SendWalReadiness(c.client());
    HealthEndpoints health = null;
    if (c.healthListen().isPresent()) {
      try {
        health = HealthEndpoints.start(c.healthListen().get(), readiness, Optional.empty());
      } catch (IOException e) {
        System.err.println(
            "klio send-wal: cannot listen on "
                + c.healthListen().get().getHostString()
                + ":"
                + c.healthListen().get().getPort()
                + " (sendWal.healthListen): "
                + e.getMessage());
        return 2;
      }
      LOG.info("health endpoints on {} (/livez, /readyz)", health.url());
    }
    KlioConnection server = null;
    WalSink sink;
    try {
      server = KlioConnection.open(c.client());
      sink =
          server.walSink(
              () -> {
                // the server went away: stop reading from PostgreSQL, reconnect both sides
                readiness.serverStreamFailed();
                WalReceiver r = current;
                if (r != null) {
                  r.stop();
                }
              });
    } catch (PermanentException e) {
      // TLS files that exist but cannot be used
      System.err.println("klio send-wal: invalid configuration: " + config + ": " + e.getMessage());
      if (server != null) {
        server.close();
      }
      if (health != null) {
        health.close();
      }
      return 2;
    }
    WalReceiverOptions options =
        new WalReceiverOptions(
            Optional.of(c.slot()),
            c.createSlot(),
            c.client().synchronous(),
            c.statusInterval(),
            Optional.empty());
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping = true;
                  WalReceiver r = current;
                  if (r != null) {
                    r.stop();
                  }
                  try {
                    done.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "klio-send-wal-shutdown"));
    long backoff = 1000;
    try {
      while (!stopping) {
        boolean streamed = false;
        try {
          if (!isPrimary(settings)) {
            LOG.info(
                "{} is a standby (in_hot_standby = on): send-wal streams only from a primary;"
                    + " checking again in {} s",
                settings.host(),
                backoff / 1000);
          } else {
            WalReceiver receiver = new WalReceiver(settings, sink, options, readiness);
            current = receiver;
            LOG.info(
                "streaming WAL of cluster {} to {}", c.client().cluster(), c.client().server());
            try {
              receiver.run();
            } finally {
              streamed = receiver.receivedLsn().isValid();
            }
            if (stopping) {
              break;
            }
            LOG.warn("the WAL stream ended; reconnecting");
          }
        } catch (IOException e) {
          if (isPermanent(e)) {
            LOG.error("stopping: {}", e.getMessage());
            return 1;
          }
          LOG.warn("WAL stream interrupted: {}; retrying in {} s", e.getMessage(), backoff / 1000);
        } finally {
          current = null;
          try {
            sink.close();
          } catch (IOException ignored) {
            // the server is gone; the next stream starts over
          }
        }
        if (stopping) {
          break;
        }
        if (streamed) {
          backoff = 1000; // it was streaming: the failure is new, retry soon
        }
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
      LOG.info("stopped");
      return 0;
    } finally {
      server.close();
      if (health != null) {
        health.close();
      }
      done.countDown();
    }
  }

  private static boolean isPrimary(ConnectionSettings settings) throws IOException {
    try (PgConnection c = PgConnection.connect(settings, true)) {
      return !"on".equals(c.show("in_hot_standby"));
    }
  }

  private static boolean isPermanent(IOException e) {
    if (e instanceof PostgresException pe) {
      return false; // PostgreSQL may come back or be fixed; keep trying, loudly
    }
    return e instanceof PermanentException
        || e instanceof KlioException k
            && !k.isRetryable()
            && !(e instanceof io.klio.api.error.NotFoundException);
  }
}
