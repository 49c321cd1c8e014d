package io.klio.server.backup;

import static io.klio.server.backup.BackupFixtures.cli;
import static io.klio.server.backup.BackupFixtures.clientYaml;
import static io.klio.server.backup.BackupFixtures.connect;
import static io.klio.server.backup.BackupFixtures.options;
import static io.klio.server.backup.BackupFixtures.restore;
import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.grpc.v1.BackupSummary;
import io.klio.client.BackupListener;
import io.klio.client.KlioConnection;
import io.klio.server.cli.Main;
import io.klio.server.wal.KlioFixture;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code klio backup} and {@code klio restore} must refuse, writing nothing: a client
 * certificate issued for another cluster, and a wrong key (the server's key-encryption key no
 * longer opens Tier 1's key ring: it was rotated away). Nothing written: Tier 1 file for file as
 * before (so the catalog too), no backup begun in PostgreSQL (no checkpoint), the restore's target
 * directory not created. With the right certificate and key the same commands then succeed.
 */
class BackupRefusalIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  @Test
  void anotherClustersCertificateAndAWrongKeyAreRefusedWritingNothing() throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(PostgresVersions.enabled().get(0)));
    s.sql("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 10000) g");
    String encryption = BackupFixtures.encryptedTier1(tmp);
    try (KlioFixture klio = new KlioFixture(tmp, BackupFixtures.conn(s), false, encryption)) {
      klio.startServer();
      klio.startSendWal();
      BackupFixtures.awaitStreaming(s);
      Path cfg = clientYaml(klio, "backup.yaml", s, "60s");
      // cluster B's certificate (issued for "other"), configured to act for cluster main
      Path otherCfg = tmp.resolve("other-backup.yaml");
      Files.writeString(
          otherCfg,
          Files.readString(cfg)
              .replace(tmp.resolve("client.crt").toString(), tmp.resolve("other.crt").toString())
              .replace(tmp.resolve("client.key").toString(), tmp.resolve("other.key").toString()));
      String b1;
      try (KlioConnection c = connect(cfg)) {
        b1 = c.backups().backup(options(cfg), BackupListener.NONE).summary().getBackupId();
      }
      klio.killSendWal(); // nothing else writes Tier 1 now
      Path target = tmp.resolve("restored");

      // 1. another cluster's certificate
      TreeMap<String, String> tier1 = files(klio.tier1);
      String checkpoint = checkpoint(s);
      String refused = "issued for 'other', which may not act for cluster 'main'";
      assertThat(cli("backup", "--config", otherCfg.toString()))
          .startsWith("1\n")
          .contains("PERMISSION_DENIED")
          .contains(refused);
      assertThat(cli("backup", "list", "--config", otherCfg.toString()))
          .startsWith("1\n")
          .contains(refused);
      assertThat(cli("backup", "delete", b1, "--force", "--config", otherCfg.toString()))
          .startsWith("1\n")
          .contains(refused);
      assertThat(restore(otherCfg, target)).startsWith("3\n").contains(refused);
      assertThat(target).doesNotExist();
      Files.createDirectory(target);
      assertThat(restore(otherCfg, target)).startsWith("3\n").contains(refused);
      assertThat(target).isEmptyDirectory();
      Files.delete(target);
      assertThat(checkpoint(s)).as("PostgreSQL began no backup").isEqualTo(checkpoint);
      assertThat(files(klio.tier1)).as("Tier 1").isEqualTo(tier1);
      try (KlioConnection c = connect(cfg)) {
        assertThat(c.backups().list()).extracting(BackupSummary::getBackupId).containsExactly(b1);
      }

      // 2. a wrong key: the KEK is rotated while the server is down, server.yaml names the old one
      klio.killServer();
      Path newKek = tmp.resolve("new-kek");
      assertThat(Main.run("keys", "generate-kek", "--out", newKek.toString())).isZero();
      String oldKek = encryption.substring(encryption.indexOf("file:"));
      assertThat(
              Main.run(
                  "keys",
                  "rotate-kek",
                  "--repository",
                  klio.tier1.toUri().toString(),
                  "--kek",
                  oldKek,
                  "--new-kek",
                  "file:" + newKek))
          .isZero();
      tier1 = files(klio.tier1);
      String server;
      try (ChildJvm p =
          ChildJvm.startMerged(
              Main.class,
              256,
              "server",
              "start",
              "--config",
              tmp.resolve("server.yaml").toString())) {
        StringBuilder out = new StringBuilder();
        for (String line; (line = p.readLine()) != null; ) {
          out.append(line).append('\n');
        }
        server = p.exitValue(60) + "\n" + out;
      }
      assertThat(server)
          .as("the server refuses to start")
          .startsWith("2\n")
          .contains("klio server: cannot start: cannot open the key ring of repository")
          .contains(oldKek.substring("file:".length()))
          .contains("does not open it")
          .doesNotContain("\tat "); // a message, not a stack trace
      assertThat(cli("backup", "--config", cfg.toString()))
          .startsWith("3\n")
          .contains("the Klio server at 127.0.0.1:" + klio.grpcPort + " could not be reached");
      assertThat(restore(cfg, target)).startsWith("4\n").contains("could not be reached");
      assertThat(target).doesNotExist();
      assertThat(checkpoint(s)).as("PostgreSQL began no backup").isEqualTo(checkpoint);
      assertThat(files(klio.tier1)).as("Tier 1").isEqualTo(tier1);

      // 3. with the right key and certificate, the same restore works
      Files.writeString(
          tmp.resolve("server.yaml"),
          Files.readString(tmp.resolve("server.yaml")).replace(oldKek, "file:" + newKek));
      klio.startServer();
      assertThat(restore(cfg, target)).startsWith("0\n").contains("Restored backup " + b1);
      assertThat(target.resolve("PG_VERSION")).exists();
    }
  }

  /** Every file under {@code dir} with its size and modification time. */
  private static TreeMap<String, String> files(Path dir) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(p)) {
          out.put(
              dir.relativize(p).toString(),
              Files.size(p) + " bytes, " + Files.getLastModifiedTime(p));
        }
      }
    }
    assertThat(out).isNotEmpty();
    return out;
  }

  /** The latest checkpoint: pg_backup_start would make a new one. */
  private static String checkpoint(PostgresServer s) {
    return s.sql("SELECT checkpoint_lsn FROM pg_control_checkpoint()");
  }
}
