package io.klio.client;

import io.klio.client.internal.Connections;
import io.klio.walstream.WalSink;
import java.io.IOException;

/**
 * A connection to one Klio server as one cluster, shared by the services that talk to it: the WAL
 * sender ({@link #walSink}), the WAL fetcher ({@link #walFetcher}), the backup client ({@link
 * #backups}), and the restore client as it comes. It holds one gRPC channel (HTTP/2 over TCP,
 * mutual TLS unless {@link KlioClientOptions#tls()} is empty), which reconnects by itself after the
 * server restarts.
 *
 * <p><b>Threading.</b> Thread-safe; the objects it hands out say their own rules.
 *
 * <p><b>Lifecycle.</b> {@link #open} checks the TLS files (they are read then) but does not wait
 * for the server: an unreachable server shows as a {@link io.klio.api.error.RetryableException} of
 * the first call. {@link #close()} ends the channel at once: calls and streams still running fail;
 * close the sinks first to have their WAL acknowledged.
 */
public interface KlioConnection extends AutoCloseable {

  /**
   * Opens a connection with {@code options}.
   *
   * @throws io.klio.api.error.PermanentException when the TLS files cannot be used (the message
   *     names them)
   */
  static KlioConnection open(KlioClientOptions options) throws IOException {
    return Connections.open(options);
  }

  KlioClientOptions options();

  /**
   * A {@link WalSink} whose storage is the server's archive of this cluster, for a {@code
   * WalReceiver}: {@link WalSink#durableLsn()} is what the server acknowledged as fsynced, so the
   * replication slot (and a synchronous commit) never gets ahead of what the server holds. WAL goes
   * over the gRPC {@code Stream} call, or, when {@link KlioClientOptions#synchronous()} and the
   * server offers one, over its WAL socket (docs/grpc-api.md). One sink per receiver; it may be
   * opened again after each stream ({@link WalSink#open}).
   *
   * <p>Any failure of the stream surfaces as a {@link io.klio.api.error.KlioException} from the
   * sink's next call: {@link io.klio.api.error.PermanentException} when retrying cannot help (a
   * refused certificate, another database system under this cluster name), {@link
   * io.klio.api.error.RetryableException} otherwise. It ends the receiver's run; the caller
   * reconnects.
   *
   * @param onStreamFailure run (from a gRPC or WAL socket thread) when the stream to the server
   *     fails, so that a receiver blocked reading from PostgreSQL can be stopped and reconnect
   * @throws io.klio.api.error.PermanentException when the TLS files cannot be used for the WAL
   *     socket
   */
  WalSink walSink(Runnable onStreamFailure) throws IOException;

  /** The fetcher of this cluster's archived WAL files. */
  WalFetcher walFetcher();

  /** The base backups of this cluster: taking one, and the catalog. */
  BackupClient backups();

  /**
   * The client of this cluster's restores: a base backup from the server into a new data directory,
   * set up for point-in-time recovery ({@link RestoreClient}).
   */
  RestoreClient restores();

  /** Shuts the channel down at once. */
  @Override
  void close();
}
