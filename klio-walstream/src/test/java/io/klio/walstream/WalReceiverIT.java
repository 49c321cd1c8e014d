package io.klio.walstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.walstream.sink.DirectoryWalSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WalReceiverIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  @ParameterizedTest
  @MethodSource("versions")
  void completeSegmentsAreIdenticalToTheServers(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    Path dir = tmp.resolve("wal");
    WalReceiverOptions opts = WalReceiverOptions.defaults().withSlot("klio", true);
    // first run: creates the slot, starts at the server's position, streams to the current end
    Wal.generate(s, 1);
    Lsn end = Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));
    try (DirectoryWalSink sink = new DirectoryWalSink(dir)) {
      assertThat(new WalReceiver(Wal.tcp(s), sink, opts.withEndPosition(end)).run())
          .isEqualTo(WalReceiver.Outcome.END_POSITION_REACHED);
    }
    // second run resumes from the directory
    Wal.generate(s, 3);
    end = Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));
    try (DirectoryWalSink sink = new DirectoryWalSink(dir)) {
      assertThat(new WalReceiver(Wal.socket(s), sink, opts.withEndPosition(end)).run())
          .isEqualTo(WalReceiver.Outcome.END_POSITION_REACHED);
    }
    List<String> complete = completeSegments(dir);
    assertThat(complete).hasSizeGreaterThanOrEqualTo(3);
    for (String name : complete) {
      assertThat(
              Files.mismatch(dir.resolve(name), s.dataDirectory().resolve("pg_wal").resolve(name)))
          .as("segment %s", name)
          .isEqualTo(-1L);
    }
    // the slot never passed what was stored
    Lsn slot =
        Lsn.parse(s.sql("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'"));
    assertThat(slot).isLessThanOrEqualTo(end);
  }

  /** A server that shuts down ends the stream as a retryable failure: receivers reconnect. */
  @ParameterizedTest
  @MethodSource("versions")
  void aServerShutdownIsRetryable(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    try (DirectoryWalSink sink = new DirectoryWalSink(tmp.resolve("wal"))) {
      WalReceiver receiver =
          new WalReceiver(Wal.tcp(s), sink, WalReceiverOptions.defaults().withSlot("klio", true));
      java.util.concurrent.CompletableFuture<Throwable> outcome =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new AssertionError("run() returned " + receiver.run());
                } catch (Throwable t) {
                  return t;
                }
              });
      while (!receiver.receivedLsn().isValid()) {
        Thread.sleep(20);
      }
      s.stop();
      assertThat(outcome.get(60, java.util.concurrent.TimeUnit.SECONDS))
          .isInstanceOf(io.klio.api.error.RetryableException.class)
          .hasMessageContaining("shutting down");
    }
  }

  static List<String> completeSegments(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.length() == 24)
          .filter(n -> WalFileName.parse(n, WalSegmentSize.DEFAULT) instanceof WalFileName.Segment)
          .sorted()
          .toList();
    }
  }
}
