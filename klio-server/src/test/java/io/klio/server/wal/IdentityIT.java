package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.server.cli.Main;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.testkit.process.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may do what: a client certificate for another cluster, a certificate from a CA the server
 * does not trust, another database system under a known cluster name, and get-wal's exit codes.
 */
class IdentityIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  /** Runs a klio command to its end; returns "status:output". */
  static String run(String... args) throws Exception {
    try (ChildJvm p = ChildJvm.startMerged(Main.class, 256, args)) {
      StringBuilder out = new StringBuilder();
      for (String line; (line = p.readLine()) != null; ) {
        out.append(line).append('\n');
      }
      return p.exitValue(120) + ":" + out;
    }
  }

  static String getWal(String config, String name, String destination) throws Exception {
    return run("get-wal", "--config", config, name, destination);
  }

  @Test
  void clientsActOnlyForTheirOwnClusterAndSystem() throws Exception {
    int major = PostgresVersions.enabled().get(0);
    PostgresServer s = pg.start(PostgresConfig.of(major));
    try (KlioFixture klio = new KlioFixture(tmp, WalPathIT.conn(s), false, "")) {
      klio.startServer();
      Path dest = tmp.resolve("dest");
      Files.createDirectories(dest);

      // a certificate issued for cluster "other" may not send or fetch cluster "main"
      assertThat(run("send-wal", "--config", tmp.resolve("other.yaml").toString()))
          .startsWith("1:")
          .contains("PERMISSION_DENIED")
          .contains("issued for 'other', which may not act for cluster 'main'");
      assertThat(
              getWal(
                  tmp.resolve("other.yaml").toString(),
                  "000000010000000000000001",
                  dest.resolve("x").toString()))
          .startsWith("250:")
          .contains("may not act for cluster 'main'");
      // a certificate from a CA the server does not trust never gets in
      assertThat(run("send-wal", "--config", tmp.resolve("stranger.yaml").toString()))
          .startsWith("1:")
          .contains("TLS with the Klio server failed");

      // the right client registers the cluster's database system
      klio.startSendWal();
      WalPathIT.awaitFlushed(s, io.klio.api.Lsn.parse(s.sql("SELECT pg_current_wal_lsn()")));
      klio.killSendWal();

      // another database system under the same cluster name is refused, naming both systems
      PostgresServer other = pg.start(PostgresConfig.of(major));
      Path otherYaml = tmp.resolve("client-other-system.yaml");
      Files.writeString(
          otherYaml,
          Files.readString(klio.clientConfig()).replace(WalPathIT.conn(s), WalPathIT.conn(other)));
      String sysA = s.sql("SELECT system_identifier FROM pg_control_system()");
      String sysB = other.sql("SELECT system_identifier FROM pg_control_system()");
      assertThat(run("send-wal", "--config", otherYaml.toString()))
          .startsWith("1:")
          .contains(sysA)
          .contains(sysB)
          .contains("this is a different cluster");

      // get-wal: found (0), not found (1), refuses a different destination file (4)
      assertThat(
              getWal(
                  klio.clientConfig().toString(),
                  "000000010000000000000001",
                  dest.resolve("seg1").toString()))
          .startsWith("0:");
      assertThat(Files.size(dest.resolve("seg1"))).isEqualTo(16 << 20);
      assertThat(
              getWal(
                  klio.clientConfig().toString(),
                  "0000000100000000000000FF",
                  dest.resolve("x").toString()))
          .startsWith("1:")
          .contains("not found in the archive");
      Files.writeString(dest.resolve("taken"), "something else");
      assertThat(
              getWal(
                  klio.clientConfig().toString(),
                  "000000010000000000000001",
                  dest.resolve("taken").toString()))
          .startsWith("252:")
          .contains("refusing to overwrite");

      // the server is gone: "could not reach" is not "not found"
      klio.killServer();
      assertThat(
              getWal(
                  klio.clientConfig().toString(),
                  "000000010000000000000002",
                  dest.resolve("y").toString()))
          .startsWith("251:")
          .contains(
              "could not reach the Klio server at 127.0.0.1:" + klio.grpcPort + " within 5 s");
      assertThat(Files.exists(dest.resolve("y"))).isFalse();
      assertThat(List.of(Files.list(dest).toArray())).hasSize(2);
    }
  }
}
