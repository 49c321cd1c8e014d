package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.server.cli.Main;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.testkit.process.ChildJvm;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * send-wal's readiness (sendWal.healthListen): /livez answers while it runs; /readyz only while it
 * streams, connected to PostgreSQL and to the Klio server, and says so in its log.
 */
class SendWalReadinessIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  private static int status(int port, String path) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      return c.getResponseCode();
    } catch (IOException notListening) {
      return -1;
    }
  }

  private static void await(int port, String path, IntPredicate ok, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    int s;
    while (!ok.test(s = status(port, path))) {
      assertThat(System.nanoTime()).as(what + " (last status " + s + ")").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void readyOnlyWhileStreamingToTheServer() throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(PostgresVersions.enabled().get(0)));
    int health = KlioFixture.freePort();
    try (KlioFixture klio = new KlioFixture(tmp, WalPathIT.conn(s), false, "")) {
      Files.writeString(
          klio.clientConfig(),
          Files.readString(klio.clientConfig())
              + "sendWal:\n  healthListen: 127.0.0.1:"
              + health
              + "\n");
      List<String> log = new CopyOnWriteArrayList<>();
      try (ChildJvm sendWal =
          ChildJvm.startMerged(
              Main.class, 256, "send-wal", "--config", klio.clientConfig().toString())) {
        Thread reader =
            new Thread(
                () -> {
                  try {
                    for (String line; (line = sendWal.readLine()) != null; ) {
                      System.err.println("send-wal: " + line);
                      log.add(line);
                    }
                  } catch (IOException ended) {
                    // the process is gone
                  }
                });
        reader.setDaemon(true);
        reader.start();

        // alive, but the server is not running: it cannot have negotiated, so it is not ready
        await(health, "/livez", st -> st == 200, "send-wal answers /livez");
        assertThat(status(health, "/healthz")).isEqualTo(200);
        assertThat(status(health, "/readyz")).isEqualTo(503);
        assertThat(log).noneMatch(l -> l.contains("ready: streaming"));

        klio.startServer();
        await(health, "/readyz", st -> st == 200, "ready once the server runs");
        long until1 = System.nanoTime() + 10_000_000_000L;
        while (log.stream().noneMatch(l -> l.contains("ready: streaming"))
            && System.nanoTime() < until1) {
          Thread.sleep(50); // read from the child's output by another thread
        }
        assertThat(log)
            .anyMatch(
                l ->
                    l.contains(
                        "ready: streaming WAL of cluster main to the Klio server at 127.0.0.1:"
                            + klio.grpcPort
                            + " (timeline 1, from "));

        klio.killServer();
        await(health, "/readyz", st -> st == 503, "not ready once the server is gone");
        assertThat(status(health, "/livez")).isEqualTo(200);

        klio.startServer();
        await(health, "/readyz", st -> st == 200, "ready again after the server restarted");
        // the log line is read from the child's output by another thread: wait for it a little
        long until = System.nanoTime() + 10_000_000_000L;
        while (log.stream().filter(l -> l.contains("ready: streaming")).count() < 2
            && System.nanoTime() < until) {
          Thread.sleep(50);
        }
        assertThat(log.stream().filter(l -> l.contains("ready: streaming")).count())
            .isGreaterThanOrEqualTo(2);
      }
    }
  }
}
