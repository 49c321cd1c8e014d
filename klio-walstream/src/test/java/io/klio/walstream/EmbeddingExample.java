package io.klio.walstream;

import io.klio.api.Lsn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The example of docs/embedding-walstream.md, compiled and run by {@link EmbeddingExampleIT}. */
final class EmbeddingExample {

  private EmbeddingExample() {}

  // --- example start
  static WalReceiver.Outcome archive(String conninfo, Path directory, Lsn stopAt)
      throws IOException {
    // libpq rules: keyword/value or URI, then PG* variables, ~/.pgpass, defaults
    ConnectionSettings settings = ConnectionStrings.resolve(conninfo, Map.of());
    WalReceiverOptions options =
        WalReceiverOptions.defaults()
            .withSlot("archiver", true) // create the slot if it is missing
            .withSynchronous(true) // fsync and report after every batch
            .withEndPosition(stopAt); // leave out to stream forever
    try (WalSink sink = WalSinkProvider.open("directory", Map.of("path", directory.toString()))) {
      WalReceiver receiver = new WalReceiver(settings, sink, options);
      Thread hook = new Thread(receiver::stop); // Ctrl-C ends the stream cleanly
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        return receiver.run(); // blocks; throws on failure (call run() again to resume)
      } finally {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
  }
  // --- example end
}
