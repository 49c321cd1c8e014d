package io.klio.server.cli;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.client.KlioClientOptions;
import io.klio.walstream.WalReceiver;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether send-wal is ready (its {@code /readyz}): connected to PostgreSQL, negotiated with the
 * Klio server, and streaming. It becomes ready when PostgreSQL accepts {@code START_REPLICATION}
 * (the stream to the server is open by then), and says so once per stream in the log; it stops
 * being ready when either side's stream ends. Thread-safe.
 */
final class SendWalReadiness implements WalReceiver.StreamListener, BooleanSupplier {

  private static final Logger LOG = LoggerFactory.getLogger(SendWalReadiness.class);

  private final KlioClientOptions client;
  private volatile boolean ready;

  SendWalReadiness(KlioClientOptions client) {
    this.client = client;
  }

  @Override
  public void streaming(TimelineId timeline, Lsn start) {
    ready = true;
    LOG.info(
        "ready: streaming WAL of cluster {} to the Klio server at {} (timeline {}, from {})",
        client.cluster(),
        client.server(),
        timeline.value(),
        start);
  }

  @Override
  public void ended() {
    ready = false;
  }

  /** The stream to the Klio server failed (the PostgreSQL side is stopped next). */
  void serverStreamFailed() {
    ready = false;
  }

  @Override
  public boolean getAsBoolean() {
    return ready;
  }
}
