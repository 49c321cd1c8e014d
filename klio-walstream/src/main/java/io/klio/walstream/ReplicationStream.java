package io.klio.walstream;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.walstream.ReplicationResults.NextTimeline;
import io.klio.walstream.protocol.BackendMessage;
import io.klio.walstream.protocol.BackendMessage.*;
import io.klio.walstream.protocol.FrontendMessage;
import io.klio.walstream.protocol.ProtocolException;
import io.klio.walstream.protocol.ReplicationMessage;
import io.klio.walstream.protocol.ReplicationMessage.StandbyStatusUpdate;
import java.io.IOException;
import java.util.Optional;

/**
 * A physical replication stream in COPY BOTH mode. {@link #read()} returns WAL data and keepalives,
 * then an {@link End} when the server ends the stream (end of a timeline, or after {@link
 * #stop()}). One thread reads; any thread may {@link #sendStatus} or {@link #stop()}.
 */
public final class ReplicationStream {

  /** What {@link #read()} returns. */
  public sealed interface Event permits Data, Keepalive, End {}

  /** WAL bytes. */
  public record Data(ReplicationMessage.XLogData message) implements Event {}

  /** A keepalive; answer at once when it requests a reply. */
  public record Keepalive(ReplicationMessage.PrimaryKeepalive message) implements Event {}

  /**
   * The stream ended; {@code next} is present when the server ended a timeline (the next timeline
   * and its start), empty after {@link #stop()}.
   */
  public record End(Optional<NextTimeline> next) implements Event {}

  private final PgConnection connection;
  private boolean clientDone; // guarded by this: no status update may follow our CopyDone
  private boolean ended;

  ReplicationStream(PgConnection connection) {
    this.connection = connection;
  }

  /** The next event; blocks until the server sends something. */
  public Event read() throws IOException {
    if (ended) {
      throw new IllegalStateException("the replication stream has ended");
    }
    while (true) {
      BackendMessage m = connection.decoder().next();
      if (m instanceof CopyData d) {
        ReplicationMessage rm = ReplicationMessage.decode(d.data());
        if (rm instanceof ReplicationMessage.XLogData x) {
          return new Data(x);
        }
        return new Keepalive((ReplicationMessage.PrimaryKeepalive) rm);
      } else if (m instanceof CopyDone) {
        return finish();
      } else if (m instanceof CommandComplete) {
        // a walsender that shuts down ends the COPY with CommandComplete alone and exits
        ended = true;
        throw new io.klio.api.error.RetryableException(
            "the server ended the replication stream (it is shutting down); reconnect when it is"
                + " back");
      } else if (m instanceof ErrorResponse e) {
        ended = true;
        PostgresException error = new PostgresException("replication stream", e.fields());
        connection.drainUntilReady();
        throw error;
      } else {
        connection.handleAsync(m, "streaming");
      }
    }
  }

  /** After the server's CopyDone: answer it, then read the optional next-timeline result. */
  private End finish() throws IOException {
    stop(); // answered, unless this side asked first
    Optional<NextTimeline> next = Optional.empty();
    while (true) {
      BackendMessage m = connection.decoder().next();
      if (m instanceof DataRow row) {
        if (row.values().size() < 2
            || row.values().get(0).isEmpty()
            || row.values().get(1).isEmpty()) {
          throw new ProtocolException("end-of-timeline result without next timeline and start");
        }
        next =
            Optional.of(
                new NextTimeline(
                    TimelineId.parse(
                        new String(
                            row.values().get(0).get(), java.nio.charset.StandardCharsets.UTF_8)),
                    Lsn.parse(
                        new String(
                            row.values().get(1).get(), java.nio.charset.StandardCharsets.UTF_8))));
      } else if (m instanceof ReadyForQuery) {
        ended = true;
        return new End(next);
      } else if (m instanceof ErrorResponse e) {
        PostgresException error = new PostgresException("end of replication stream", e.fields());
        connection.drainUntilReady();
        ended = true;
        throw error;
      } else if (m instanceof RowDescription
          || m instanceof CommandComplete
          || m instanceof CopyData) {
        // the result's header and tags; WAL still in flight after our CopyDone is dropped
      } else {
        connection.handleAsync(m, "end of streaming");
      }
    }
  }

  /**
   * Sends a standby status update, unless this side ended the stream already (a status update after
   * CopyDone would break the protocol). Thread-safe.
   */
  public synchronized void sendStatus(StandbyStatusUpdate status) throws IOException {
    if (clientDone) {
      return;
    }
    connection.send(new FrontendMessage.CopyData(status.encode()));
  }

  /** Asks the server to end the stream (CopyDone); {@link #read()} then returns {@link End}. */
  public synchronized void stop() throws IOException {
    if (!clientDone) {
      clientDone = true;
      connection.send(FrontendMessage.CopyDone.INSTANCE);
    }
  }
}
