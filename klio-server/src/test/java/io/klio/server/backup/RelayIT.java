package io.klio.server.backup;

import static io.klio.server.backup.BackupFixtures.awaitMetric;
import static io.klio.server.backup.BackupFixtures.clientYaml;
import static io.klio.server.backup.BackupFixtures.metric;
import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.server.relay.S3ProxyFsMain;
import io.klio.server.wal.KlioFixture;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.process.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay to a real S3 server (S3Proxy on its on-disk store, in a JVM of its own) with the
 * server's WAL and a backup flowing: the S3 server is killed mid-relay and stays away for much
 * longer than the SDK's retries; while it is away, more WAL arrives and the Klio server itself is
 * killed with SIGKILL; then both come back. Every repository object on Tier 1 ends up on Tier 2
 * byte for byte, nothing Tier-1-only goes there, the server stayed ready through the outage, and
 * the relay's metrics told of the wait and the errors.
 */
class RelayIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static final Pattern TIER1_ONLY =
      Pattern.compile("^(sessions/|gc/|relay/|clusters/[^/]+/incoming/).*");

  @TempDir Path tmp;

  @Test
  void anOutageOfTier2AndAKilledServerLoseNothing() throws Exception {
    Path s3dir = tmp.resolve("s3");
    Files.createDirectories(s3dir.resolve("klio-tier2")); // the bucket
    int s3port = KlioFixture.freePort();
    Path creds = tmp.resolve("s3-credentials");
    Files.writeString(
        creds,
        "[default]\naws_access_key_id = "
            + S3ProxyFsMain.ACCESS_KEY
            + "\naws_secret_access_key = "
            + S3ProxyFsMain.SECRET_KEY
            + "\n");
    String uri =
        "s3://klio-tier2/site-a?region=us-east-1&pathStyle=true&endpoint=http://127.0.0.1:"
            + s3port
            + "&credentialsFile="
            + creds;
    Path dir = tmp.resolve("klio");
    Files.createDirectories(dir);
    String encryption = BackupFixtures.encryptedTier1(dir);
    PostgresServer s = pg.start(PostgresConfig.of(15));
    ChildJvm s3 = startS3(s3dir, s3port);
    try (KlioFixture klio =
            new KlioFixture(
                dir,
                BackupFixtures.conn(s),
                false,
                encryption
                    + "\ntier2:\n  uri: \""
                    + uri
                    + "\"\n  parallelism: 2\n  bandwidth: 3MiB/s");
        BlobStore tier2 = BlobStores.open(uri)) {
      klio.startServer();
      klio.startSendWal();
      BackupFixtures.awaitStreaming(s);
      s.sql(
          "CREATE TABLE rows AS SELECT g, md5(g::text) AS m FROM generate_series(1, 150000) g;"
              + " SELECT pg_switch_wal()");
      Path cfg = clientYaml(klio, "backup.yaml", s, "60s");
      String backup = BackupFixtures.cli("backup", "--config", cfg.toString());
      assertThat(backup).as(backup).startsWith("0\n");

      // the relay is copying the backup's packs at 3 MiB/s: the S3 server goes away mid-relay
      awaitMetric(klio, "klio_relay_copied_objects_total", 1, false, Duration.ofSeconds(60));
      assertThat(metric(klio, "klio_relay_objects_waiting")).as("a backlog").isPositive();
      s3.kill9();
      s3.close();
      awaitMetric(klio, "klio_relay_errors_total", 3, false, Duration.ofSeconds(60));
      s.sql("INSERT INTO rows SELECT g, 'during the outage' FROM generate_series(1, 50000) g");
      Lsn during = Lsn.parse(s.sql("SELECT pg_switch_wal()"));
      BackupFixtures.awaitArchived(s, during);
      assertThat(ready(klio)).as("/readyz during the outage").isEqualTo(200);
      double waiting = metric(klio, "klio_relay_objects_waiting");
      assertThat(waiting).as("objects waiting during the outage").isPositive();
      assertThat(metric(klio, "klio_relay_oldest_waiting_seconds")).isPositive();

      klio.killServer(); // mid-relay, with a backlog, while Tier 2 is down
      s3 = startS3(s3dir, s3port);
      klio.startServer();
      awaitMetric(klio, "klio_relay_objects_waiting", 0, true, Duration.ofSeconds(180));

      TreeMap<String, Long> onTier1 = relayedObjects(klio.tier1);
      List<String> onTier2 = new ArrayList<>();
      tier2.forEach("", o -> onTier2.add(o.key().value()));
      assertThat(onTier2).containsExactlyElementsOf(onTier1.keySet());
      try (BlobStore tier1 = BlobStores.open(klio.tier1.toUri().toString())) {
        for (String k : onTier1.keySet()) {
          assertThat(read(tier2, k)).as(k).isEqualTo(read(tier1, k));
        }
      }
      assertThat(onTier1.keySet())
          .anyMatch(k -> k.startsWith("packs/"))
          .anyMatch(k -> k.startsWith("index/"))
          .anyMatch(k -> k.endsWith("/manifest"))
          .anyMatch(k -> k.startsWith("keys/"))
          .anyMatch(k -> k.contains("/wal/0000000100000000/"));
    } finally {
      s3.close();
    }
  }

  private static ChildJvm startS3(Path dir, int port) throws IOException {
    ChildJvm s3 = ChildJvm.start(S3ProxyFsMain.class, 256, dir.toString(), Integer.toString(port));
    String line;
    do {
      line = s3.readLine();
    } while (line != null && !line.startsWith("PORT "));
    assertThat(line).as("S3Proxy started (see its output above)").isNotNull();
    return s3;
  }

  private static TreeMap<String, Long> relayedObjects(Path tier1Dir) throws IOException {
    TreeMap<String, Long> keys = new TreeMap<>();
    try (BlobStore tier1 = BlobStores.open(tier1Dir.toUri().toString())) {
      tier1.forEach(
          "",
          (BlobInfo o) -> {
            if (!TIER1_ONLY.matcher(o.key().value()).matches()) {
              keys.put(o.key().value(), o.size());
            }
          });
    }
    return keys;
  }

  private static byte[] read(BlobStore store, String key) throws IOException {
    try (InputStream in = store.get(BlobKey.of(key))) {
      return in.readAllBytes();
    }
  }

  private static int ready(KlioFixture klio) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create("http://127.0.0.1:" + klio.httpPort + "/readyz").toURL().openConnection();
    return c.getResponseCode();
  }
}
