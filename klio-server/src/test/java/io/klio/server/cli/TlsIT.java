package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.klio.api.grpc.v1.AdminServiceGrpc;
import io.klio.api.grpc.v1.GetStatusRequest;
import io.klio.server.KlioServer;
import io.klio.server.config.ServerConfig;
import io.klio.testkit.process.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code klio tls} makes works as it says: a real server started with the configuration it
 * prints accepts its clients over mutual TLS, by DNS name and by IP address, lets each act for its
 * own cluster only, knows an administrator by name, and accepts what add-client issues later.
 */
class TlsIT {

  private static final String MISSING = "000000010000000000000001";

  @TempDir Path tmp;
  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  /** The indented lines under {@code heading} in what klio tls printed, one level less indented. */
  private static String block(String printed, String heading) {
    List<String> lines = printed.lines().toList();
    int at = lines.indexOf(heading);
    assertThat(at).as("'" + heading + "' in\n" + printed).isNotNegative();
    StringBuilder b = new StringBuilder();
    for (String l : lines.subList(at + 1, lines.size())) {
      if (!l.startsWith("  ")) {
        break;
      }
      b.append(l.substring(2)).append('\n');
    }
    return b.toString();
  }

  private String tls(String... args) {
    console.reset();
    assertThat(Main.run(args)).as(String.join(" ", args) + "\n" + console.err()).isZero();
    return console.out();
  }

  /** Runs get-wal in a JVM of its own; returns "status:output". */
  private static String getWal(Path config) throws Exception {
    Path dest = config.resolveSibling(config.getFileName() + ".wal");
    try (ChildJvm p =
        ChildJvm.startMerged(
            Main.class, 256, "get-wal", "--config", config.toString(), MISSING, dest.toString())) {
      StringBuilder out = new StringBuilder();
      for (String line; (line = p.readLine()) != null; ) {
        out.append(line).append('\n');
      }
      return p.exitValue(120) + ":" + out;
    }
  }

  private Path clientYaml(String name, String printedBlock, int port, String... more)
      throws Exception {
    List<String> lines =
        new ArrayList<>(List.of(printedBlock.replace(":7433\n", ":" + port + "\n")));
    lines.add("getWal:\n  timeout: 10s\n");
    lines.addAll(List.of(more));
    Path f = tmp.resolve(name);
    Files.writeString(f, String.join("", lines));
    return f;
  }

  private static ManagedChannel channel(Path party, int port) throws Exception {
    return NettyChannelBuilder.forAddress("localhost", port)
        .sslContext(
            GrpcSslContexts.forClient()
                .trustManager(party.resolve("ca.crt").toFile())
                .keyManager(party.resolve("tls.crt").toFile(), party.resolve("tls.key").toFile())
                .build())
        .build();
  }

  @Test
  void aServerAndItsClientsRunOnWhatTlsInitWrote() throws Exception {
    Path dir = tmp.resolve("tls");
    String printed =
        tls(
            "tls",
            "init",
            dir.toString(),
            "--server-name",
            "localhost,127.0.0.1",
            "--cluster",
            "alpha,beta,klio-admin");

    Path serverYaml = tmp.resolve("server.yaml");
    Files.writeString(
        serverYaml,
        "listen: 127.0.0.1:0\ntier1:\n  path: "
            + tmp.resolve("tier1")
            + "\nadmins: [klio-admin]\nhttp:\n  listen: ''\n"
            + block(printed, "server.yaml:"));
    try (KlioServer server = KlioServer.start(ServerConfig.load(serverYaml), "test")) {
      int port = server.port();

      // by DNS name (the host of server), and by IP address without tls.serverName
      String alpha = block(printed, "client.yaml of cluster alpha (send-wal, get-wal):");
      assertThat(alpha).contains("server: localhost:7433");
      assertThat(getWal(clientYaml("alpha.yaml", alpha, port)))
          .startsWith("1:")
          .contains(MISSING + " not found in the archive of cluster alpha");
      assertThat(
              getWal(clientYaml("alpha-ip.yaml", alpha.replace("localhost:", "127.0.0.1:"), port)))
          .startsWith("1:")
          .contains("not found in the archive of cluster alpha");

      // alpha's certificate may not act for beta
      String alphaAsBeta = alpha.replace("cluster: alpha", "cluster: beta");
      assertThat(getWal(clientYaml("alpha-as-beta.yaml", alphaAsBeta, port)))
          .startsWith("250:")
          .contains("issued for 'alpha', which may not act for cluster 'beta'");

      // the administrator by its name; a cluster's certificate is not one
      ManagedChannel admin = channel(dir.resolve("clients/klio-admin"), port);
      ManagedChannel beta = channel(dir.resolve("clients/beta"), port);
      try {
        assertThat(
                AdminServiceGrpc.newBlockingStub(admin)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getStatus(GetStatusRequest.getDefaultInstance())
                    .getVersion())
            .isEqualTo("test");
        assertThatThrownBy(
                () ->
                    AdminServiceGrpc.newBlockingStub(beta)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .getStatus(GetStatusRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      } finally {
        admin.shutdownNow();
        beta.shutdownNow();
      }

      // a certificate issued later with the same CA is accepted by the running server
      String later = tls("tls", "add-client", dir.toString(), "--cluster", "gamma");
      String gamma = block(later, "client.yaml of cluster gamma (send-wal, get-wal):");
      assertThat(getWal(clientYaml("gamma.yaml", gamma, port)))
          .startsWith("1:")
          .contains("not found in the archive of cluster gamma");

      // a certificate from another CA is not
      Path other = tmp.resolve("other-ca");
      String stranger =
          block(
              tls("tls", "init", other.toString(), "--server-name", "x", "--cluster", "alpha"),
              "client.yaml of cluster alpha (send-wal, get-wal):");
      String mixed =
          stranger
              .replace("server: x:7433", "server: localhost:7433")
              .replace(
                  other.resolve("clients/alpha/ca.crt").toString(),
                  dir.resolve("ca.crt").toString());
      assertThat(getWal(clientYaml("stranger.yaml", mixed, port)))
          .startsWith("250:")
          .contains("TLS with the Klio server failed");
    }
  }
}
