package io.klio.client.internal;

import io.grpc.ManagedChannel;
import io.klio.client.BackupClient;
import io.klio.client.KlioClientOptions;
import io.klio.client.KlioConnection;
import io.klio.client.RestoreClient;
import io.klio.client.WalFetcher;
import io.klio.walstream.WalSink;
import java.io.IOException;

/** A {@link KlioConnection}: one gRPC channel, and the WAL socket's TLS for synchronous sinks. */
final class ServerConnection implements KlioConnection {

  private final KlioClientOptions options;
  private final ManagedChannel channel;

  ServerConnection(KlioClientOptions options, ManagedChannel channel) {
    this.options = options;
    this.channel = channel;
  }

  @Override
  public KlioClientOptions options() {
    return options;
  }

  @Override
  public WalSink walSink(Runnable onStreamFailure) throws IOException {
    return new RemoteWalSink(
        channel,
        options,
        options.synchronous() ? WalSocket.Dialer.of(options) : null,
        onStreamFailure);
  }

  @Override
  public WalFetcher walFetcher() {
    return new GrpcWalFetcher(channel, options);
  }

  @Override
  public BackupClient backups() {
    return new GrpcBackupClient(channel, options);
  }

  @Override
  public RestoreClient restores() {
    return new GrpcRestoreClient(channel, options, walFetcher());
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  @Override
  public String toString() {
    return "the Klio server at " + options.server() + " (cluster " + options.cluster() + ")";
  }
}
