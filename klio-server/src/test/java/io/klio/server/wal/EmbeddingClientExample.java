package io.klio.server.wal;

import io.klio.api.Lsn;
import io.klio.client.KlioClientOptions;
import io.klio.client.KlioConnection;
import io.klio.walstream.ConnectionStrings;
import io.klio.walstream.WalReceiver;
import io.klio.walstream.WalReceiverOptions;
import io.klio.walstream.WalSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The example of docs/embedding-client.md, compiled and run by {@link EmbeddingClientIT}. */
final class EmbeddingClientExample {

  private EmbeddingClientExample() {}

  // --- example start
  /** Sends the WAL of a PostgreSQL to a Klio server up to {@code stopAt}, then fetches a file. */
  static byte[] sendThenFetch(String conninfo, String server, Path tls, Lsn stopAt, String file)
      throws IOException {
    KlioClientOptions options =
        KlioClientOptions.builder()
            .cluster("main") // the CN of the client certificate
            .server(server) // host:port, as the server listens
            .tls(
                new KlioClientOptions.Tls(
                    tls.resolve("client.crt"),
                    tls.resolve("client.key"),
                    tls.resolve("ca.crt"),
                    Optional.of("localhost"))) // the name in the server's certificate
            .build();
    try (KlioConnection klio = KlioConnection.open(options)) {
      AtomicReference<WalReceiver> receiver = new AtomicReference<>();
      // the stream to the server failed: stop reading from PostgreSQL (run() then returns)
      try (WalSink sink = klio.walSink(() -> receiver.get().stop())) {
        receiver.set(
            new WalReceiver(
                ConnectionStrings.resolve(conninfo, Map.of()),
                sink,
                WalReceiverOptions.defaults().withSlot("klio", true).withEndPosition(stopAt)));
        receiver.get().run(); // PostgreSQL hears 'flushed' only for WAL the server fsynced
      }
      return klio.walFetcher().fetch(file, Duration.ofSeconds(30)).content();
    }
  }
  // --- example end
}
