package io.klio.server.cli;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.client.KlioConnection;
import io.klio.server.config.ClientConfig;
import io.klio.walstream.ConnectionSettings;
import io.klio.walstream.PgConnection;
import io.klio.walstream.PostgresException;
import io.klio.walstream.WalReceiver;
import io.klio.walstream.WalReceiverOptions;
import io.klio.walstream.WalSink;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL sending of {@code klio send-wal}, and of {@code klio plugin serve --send-wal} in a
 * CloudNativePG sidecar: streams WAL from the PostgreSQL next to it to the Klio server while that
 * PostgreSQL is a primary, reporting flush only for what the server acknowledged as durable. It
 * waits while PostgreSQL is a standby (checking again with backoff up to 30 s), so the sidecar of
 * every instance runs one and only the primary's streams: after a switchover or failover the new
 * primary's takes over the slot. It reconnects with backoff when either side restarts.
 *
 * <p>Lifecycle: {@link #open}, then {@link #run} on one thread until {@link #stop} (from any
 * thread), then {@link #close}.
 */
final class WalSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalSender.class);

  /** What {@link #run} ended with. */
  enum Ending {
    /** {@link #stop} was called. */
    STOPPED,
    /** A failure waiting will not fix (logged): a certificate refused, another database system. */
    PERMANENT
  }

  private final ClientConfig.Resolved config;
  private final ConnectionSettings settings;
  private final SendWalReadiness readiness;
  private final KlioConnection server;
  private final WalSink sink;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile WalReceiver current;

  private WalSender(
      ClientConfig.Resolved config,
      ConnectionSettings settings,
      SendWalReadiness readiness,
      KlioConnection server,
      WalSink sink) {
    this.config = config;
    this.settings = settings;
    this.readiness = readiness;
    this.server = server;
    this.sink = sink;
  }

  /**
   * A sender to the server of {@code config}, from the PostgreSQL of {@code settings}.
   *
   * @throws PermanentException TLS files that exist but cannot be used
   * @throws IOException the connection to the server cannot be set up
   */
  static WalSender open(
      ClientConfig.Resolved config, ConnectionSettings settings, SendWalReadiness readiness)
      throws IOException {
    KlioConnection server = KlioConnection.open(config.client());
    WalSender[] self = {null};
    try {
      WalSink sink =
          server.walSink(
              () -> {
                // the server went away: stop reading from PostgreSQL, reconnect both sides
                readiness.serverStreamFailed();
                WalReceiver r = self[0] == null ? null : self[0].current;
                if (r != null) {
                  r.stop();
                }
              });
      self[0] = new WalSender(config, settings, readiness, server, sink);
      return self[0];
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Streams until {@link #stop} or a permanent failure. */
  Ending run() throws InterruptedException {
    WalReceiverOptions options =
        new WalReceiverOptions(
            Optional.of(config.slot()),
            config.createSlot(),
            config.client().synchronous(),
            config.statusInterval(),
            Optional.empty());
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
                "streaming WAL of cluster {} to {}",
                config.client().cluster(),
                config.client().server());
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
            return Ending.PERMANENT;
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
      return Ending.STOPPED;
    } finally {
      done.countDown();
    }
  }

  /** Ends {@link #run} (the stream stops at once) and waits up to 30 s for it to return. */
  void stop() {
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
  }

  @Override
  public void close() {
    server.close();
  }

  private static boolean isPrimary(ConnectionSettings settings) throws IOException {
    try (PgConnection c = PgConnection.connect(settings, true)) {
      return !"on".equals(c.show("in_hot_standby"));
    }
  }

  private static boolean isPermanent(IOException e) {
    if (e instanceof PostgresException) {
      return false; // PostgreSQL may come back or be fixed; keep trying, loudly
    }
    return e instanceof PermanentException
        || e instanceof KlioException k
            && !k.isRetryable()
            && !(e instanceof io.klio.api.error.NotFoundException);
  }
}
