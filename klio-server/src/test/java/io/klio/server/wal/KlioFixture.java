package io.klio.server.wal;

import io.klio.server.cli.Main;
import io.klio.testkit.process.ChildJvm;
import io.klio.testkit.tls.TestCertificateAuthority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A Klio server and its clients for tests: certificates from a test CA, server.yaml and client.yaml
 * in a directory the {@code postgres} OS user can read (restore_command runs as it), the server and
 * send-wal as separate JVMs (so they can be killed with SIGKILL).
 */
public final class KlioFixture implements AutoCloseable {

  public static final String CLUSTER = "main";

  public final Path dir;
  public final Path tier1;
  public final int grpcPort;
  public final int httpPort;
  private ChildJvm server;
  private ChildJvm sendWal;

  public KlioFixture(Path dir, String pgConnection, boolean synchronous, String extraServerYaml)
      throws IOException, InterruptedException {
    this.dir = dir;
    this.tier1 = dir.resolve("tier1");
    this.grpcPort = freePort();
    this.httpPort = freePort();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    TestCertificateAuthority ca = TestCertificateAuthority.create("klio test CA");
    ca.writeCertificate(dir.resolve("ca.crt"));
    ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"))
        .write(dir.resolve("server.crt"), dir.resolve("server.key"));
    ca.issueClient(CLUSTER).write(dir.resolve("client.crt"), dir.resolve("client.key"));
    ca.issueClient("other").write(dir.resolve("other.crt"), dir.resolve("other.key"));
    TestCertificateAuthority stranger = TestCertificateAuthority.create("another CA");
    stranger.issueClient(CLUSTER).write(dir.resolve("stranger.crt"), dir.resolve("stranger.key"));
    Files.writeString(
        dir.resolve("server.yaml"),
        String.join(
                "\n",
                "listen: 127.0.0.1:" + grpcPort,
                "tier1:",
                "  path: " + tier1,
                "tls:",
                "  certificate: " + dir.resolve("server.crt"),
                "  key: " + dir.resolve("server.key"),
                "  clientCa: " + dir.resolve("ca.crt"),
                "http:",
                "  listen: 127.0.0.1:" + httpPort,
                extraServerYaml)
            + "\n");
    Files.createDirectories(dir.resolve("spool"));
    if ("root".equals(System.getProperty("user.name"))) {
      // get-wal runs as PostgreSQL's OS user and writes its prefetched segments here
      new ProcessBuilder("chown", "postgres", dir.resolve("spool").toString())
          .inheritIO()
          .start()
          .waitFor();
    }
    writeClient("client.yaml", "client", pgConnection, synchronous);
    writeClient("other.yaml", "other", pgConnection, synchronous);
    writeClient("stranger.yaml", "stranger", pgConnection, synchronous);
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }

  private void writeClient(String name, String cert, String pgConnection, boolean synchronous)
      throws IOException {
    Files.writeString(
        dir.resolve(name),
        String.join(
                "\n",
                "cluster: " + CLUSTER,
                "server: 127.0.0.1:" + grpcPort,
                "tls:",
                "  certificate: " + dir.resolve(cert + ".crt"),
                "  key: " + dir.resolve(cert + ".key"),
                "  ca: " + dir.resolve("ca.crt"),
                "  serverName: localhost",
                "postgres:",
                "  connection: " + pgConnection,
                "  synchronous: " + synchronous,
                "  statusInterval: 1s",
                "getWal:",
                "  spool: " + dir.resolve("spool"),
                "  prefetch: 2",
                "  timeout: 5s")
            + "\n");
  }

  /** Server YAML that opens the WAL socket on a free port (synchronous clients stream there). */
  public static String walSocketYaml() {
    return "wal:\n  socketListen: 127.0.0.1:" + freePort();
  }

  public Path clientConfig() {
    return dir.resolve("client.yaml");
  }

  /** PostgreSQL's restore_command, through the ./klio launcher of this source tree. */
  public String restoreCommand() {
    Path klio = Path.of(System.getProperty("user.dir")).getParent().resolve("klio");
    return "'" + klio + " get-wal --config " + clientConfig() + " %f %p'";
  }

  public void startServer() throws IOException, InterruptedException {
    server =
        ChildJvm.start(
            Main.class, 512, "server", "start", "--config", dir.resolve("server.yaml").toString());
    awaitReady();
  }

  public void killServer() throws IOException, InterruptedException {
    server.kill9();
    server.close();
    server = null;
  }

  public void startSendWal() throws IOException {
    sendWal = ChildJvm.start(Main.class, 256, "send-wal", "--config", clientConfig().toString());
  }

  public void killSendWal() throws IOException, InterruptedException {
    sendWal.kill9();
    sendWal.close();
    sendWal = null;
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try {
        HttpURLConnection c =
            (HttpURLConnection)
                URI.create("http://127.0.0.1:" + httpPort + "/readyz").toURL().openConnection();
        c.setConnectTimeout(1000);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline || !server.process().isAlive()) {
        throw new IllegalStateException("the Klio server did not become ready (see its log above)");
      }
      Thread.sleep(100);
    }
  }

  public String metrics() throws IOException {
    try (var in = URI.create("http://127.0.0.1:" + httpPort + "/metrics").toURL().openStream()) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    if (sendWal != null) {
      sendWal.process().destroy();
      sendWal.close();
    }
    if (server != null) {
      server.process().destroy();
      try {
        server.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server.close();
    }
  }
}
