package io.klio.server.cnpg;

import static io.klio.server.cnpg.PluginTesting.assertCode;
import static io.klio.server.cnpg.PluginTesting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.klio.cnpgi.identity.v1.GetPluginCapabilitiesRequest;
import io.klio.cnpgi.identity.v1.GetPluginMetadataRequest;
import io.klio.cnpgi.identity.v1.GetPluginMetadataResponse;
import io.klio.cnpgi.identity.v1.IdentityGrpc;
import io.klio.cnpgi.identity.v1.PluginCapability;
import io.klio.cnpgi.identity.v1.ProbeRequest;
import io.klio.cnpgi.wal.v1.WALArchiveRequest;
import io.klio.cnpgi.wal.v1.WALCapabilitiesRequest;
import io.klio.cnpgi.wal.v1.WALCapability;
import io.klio.cnpgi.wal.v1.WALGrpc;
import io.klio.cnpgi.wal.v1.WALRestoreRequest;
import io.klio.server.cli.KlioVersion;
import io.klio.server.cli.Main;
import io.klio.server.wal.KlioFixture;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.process.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code klio plugin serve} as CloudNativePG's instance manager calls it: a gRPC client over the
 * real unix socket of the plugin process, a real Klio server holding the WAL a real PostgreSQL
 * streamed to it (on timeline 2, so that the archive holds a history file). Every restored file is
 * compared with what {@code klio get-wal} writes for the same name. One PostgreSQL major (15): the
 * plugin reads the archive, not PostgreSQL.
 */
class PluginIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  private KlioFixture klio;
  private WALGrpc.WALBlockingStub wal;

  @Test
  void cloudNativePgRestoresWalThroughThePluginSocket() throws Exception {
    PostgresServer db = pg.start(PostgresConfig.of(15).withWalSegmentSizeMb(1));
    // an archive recovery that finds nothing ends on timeline 2, with 00000002.history
    db.stop();
    db.startRecovery(Map.of("restore_command", "'false'"));
    db.awaitRecoveryEnd(Duration.ofSeconds(60));
    KlioFixture fixture =
        new KlioFixture(
            tmp,
            "host=127.0.0.1 port=" + db.port() + " user=postgres password=" + db.password(),
            false,
            "");
    klio = fixture;
    Path plugins = Files.createDirectories(tmp.resolve("plugins"));
    Path socket = plugins.resolve(PluginServer.NAME);
    Path spool = tmp.resolve("plugin-spool");
    try (fixture;
        ChildJvm plugin =
            ChildJvm.start(
                Main.class,
                256,
                "plugin",
                "serve",
                "--config",
                pluginConfig(spool).toString(),
                "--socket",
                socket.toString(),
                // the sidecar streams the WAL itself, as in a CloudNativePG Pod
                "--send-wal")) {
      await("the plugin's socket", () -> Files.exists(socket), plugin);
      ManagedChannel channel =
          Grpc.newChannelBuilder("unix://" + socket, InsecureChannelCredentials.create()).build();
      try {
        IdentityGrpc.IdentityBlockingStub identity =
            IdentityGrpc.newBlockingStub(channel).withWaitForReady();
        wal = WALGrpc.newBlockingStub(channel).withWaitForReady();

        GetPluginMetadataResponse meta =
            identity.getPluginMetadata(GetPluginMetadataRequest.getDefaultInstance());
        assertThat(meta.getName()).isEqualTo("klio.cloudnative-pg.io");
        assertThat(meta.getVersion()).isEqualTo(KlioVersion.version()).isNotEqualTo("unknown");
        assertThat(meta.getDisplayName()).isEqualTo("Klio");
        assertThat(meta.getLicense()).isEqualTo("Apache-2.0");
        assertThat(
                identity
                    .getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance())
                    .getCapabilitiesList())
            .extracting(c -> c.getService().getType())
            .containsExactly(
                PluginCapability.Service.Type.TYPE_WAL_SERVICE,
                PluginCapability.Service.Type.TYPE_BACKUP_SERVICE,
                PluginCapability.Service.Type.TYPE_RESTORE_JOB);
        assertThat(
                wal.getCapabilities(WALCapabilitiesRequest.getDefaultInstance())
                    .getCapabilitiesList())
            .extracting(c -> c.getRpc().getType())
            .containsExactly(WALCapability.RPC.Type.TYPE_RESTORE_WAL);
        assertThatThrownBy(
                () ->
                    wal.archive(
                        WALArchiveRequest.newBuilder().setSourceFileName("/pg_wal/x").build()))
            .satisfies(e -> assertCode(e, Status.Code.UNIMPLEMENTED));

        // before the Klio server runs: not ready, and a restore names the file and the server
        assertThat(identity.probe(ProbeRequest.getDefaultInstance()).getReady()).isFalse();
        Path early = tmp.resolve("early");
        assertThatThrownBy(
                () -> restore("00000002.history", early, WALRestoreRequest.Mode.MODE_RECOVERY))
            .satisfies(e -> assertCode(e, Status.Code.UNAVAILABLE))
            .hasMessageContaining("00000002.history")
            .hasMessageContaining("127.0.0.1:" + klio.grpcPort);
        assertThat(early).doesNotExist();

        klio.startServer(); // the plugin's send-wal, retrying until now, starts streaming
        await(
            "Probe ready",
            () -> identity.probe(ProbeRequest.getDefaultInstance()).getReady(),
            plugin);
        Segments s = streamSomeSegments(db);

        // a complete segment, in recovery: the next ones are prefetched into the spool
        assertRestoresAsGetWal(s.a(), WALRestoreRequest.Mode.MODE_RECOVERY);
        await("the prefetch of " + s.b(), () -> Files.exists(spool.resolve(s.b())), plugin);
        assertThat(spool.resolve(s.b())).hasBinaryContent(getWal(s.b()));
        // ... and taken from there
        assertRestoresAsGetWal(s.b(), WALRestoreRequest.Mode.MODE_RECOVERY);
        assertThat(spool.resolve(s.b())).doesNotExist();

        // a history file; the segment the archive only holds as .partial, and that .partial
        assertThat(new String(assertRestoresAsGetWal("00000002.history", null))).startsWith("1\t");
        byte[] partial = assertRestoresAsGetWal(s.partial(), WALRestoreRequest.Mode.MODE_RECOVERY);
        assertThat(partial).hasSize(1 << 20); // padded to the segment size, as pg_receivewal does
        assertThat(assertRestoresAsGetWal(s.partial() + ".partial", null)).isEqualTo(partial);

        // pg_rewind's requests neither read the spool nor take from it (no prefetch trims a
        // segment after the last one restored in recovery, and none spools a .partial)
        Path planted = Files.write(spool.resolve(s.partial()), new byte[] {1, 2, 3});
        assertRestoresAsGetWal(s.partial(), WALRestoreRequest.Mode.MODE_REWIND);
        assertThat(planted).hasBinaryContent(new byte[] {1, 2, 3});
        Files.delete(planted);

        // what the archive does not hold: NOT_FOUND, nothing written
        for (String missing : List.of("000000020000000100000000", "00000009.history")) {
          Path dest = tmp.resolve("missing-" + missing);
          assertThatThrownBy(() -> restore(missing, dest, WALRestoreRequest.Mode.MODE_RECOVERY))
              .satisfies(e -> assertCode(e, Status.Code.NOT_FOUND))
              .hasMessageContaining(missing)
              .hasMessageContaining("cluster main");
          assertThat(dest).doesNotExist();
        }
        // not a WAL file name; a destination holding something else
        assertThatThrownBy(() -> restore("pg_hba.conf", tmp.resolve("x"), null))
            .satisfies(e -> assertCode(e, Status.Code.INVALID_ARGUMENT));
        Path other = Files.writeString(tmp.resolve("other"), "not WAL");
        assertThatThrownBy(() -> restore(s.a(), other, null))
            .satisfies(e -> assertCode(e, Status.Code.ALREADY_EXISTS))
            .hasMessageContaining(other.toString());
        assertThat(other).hasContent("not WAL");
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
      plugin.process().destroy(); // SIGTERM, as Kubernetes stops a container
      assertThat(plugin.exitValue(30)).as("128 + SIGTERM, after the shutdown hook").isEqualTo(143);
      assertThat(socket).doesNotExist();
    }
  }

  /** Two complete segments on timeline 2, then the one being written (archived as .partial). */
  private record Segments(String a, String b, String partial) {}

  private Segments streamSomeSegments(PostgresServer db) throws Exception {
    await(
        "send-wal streaming",
        () ->
            db.sql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
                .equals("1"),
        null);
    String first = db.sql("SELECT pg_walfile_name(pg_current_wal_lsn())");
    db.sql("CREATE TABLE t AS SELECT g, md5(g::text) AS m FROM generate_series(1, 40000) g");
    String b = db.sql("SELECT pg_walfile_name(pg_current_wal_lsn())");
    db.sql("SELECT pg_switch_wal()");
    db.sql("INSERT INTO t VALUES (0, 'into the segment after the switch')");
    String partial = db.sql("SELECT pg_walfile_name(pg_current_wal_lsn())");
    String a = db.sql("SELECT pg_walfile_name(pg_current_wal_lsn() - 1048576 * 2)");
    assertThat(a).startsWith("00000002").isGreaterThanOrEqualTo(first).isLessThan(b);
    assertThat(partial).isGreaterThan(b);
    // PostgreSQL stops (its shutdown checkpoint streamed); once the server has closed the stream,
    // the archive holds all of it, and the .partial no longer changes
    db.stop();
    await(
        "the end of the WAL stream", () -> metric("klio_wal_streaming{cluster=\"main\"} 0"), null);
    try (var c =
        io.klio.client.KlioConnection.open(
            io.klio.server.config.ClientConfig.load(klio.clientConfig()).client())) {
      await("the archiving of " + b, () -> !isPartial(c, b), null);
    }
    return new Segments(a, b, partial);
  }

  /**
   * Restores {@code name} through the plugin (with {@code mode}, or, for null, a request with only
   * the fields of cnpg-i v0.5.0, as released CloudNativePG sends it), and checks that it wrote
   * exactly what get-wal writes; returns that content.
   */
  private byte[] assertRestoresAsGetWal(String name, WALRestoreRequest.Mode mode) throws Exception {
    Path dest = tmp.resolve("restored-" + name + "-" + mode);
    restore(name, dest, mode);
    byte[] expected = getWal(name);
    assertThat(dest).as(name + " (" + mode + ")").hasBinaryContent(expected);
    return expected;
  }

  private void restore(String name, Path dest, WALRestoreRequest.Mode mode) throws IOException {
    WALRestoreRequest request;
    if (mode == null) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeBytes(1, ByteString.copyFromUtf8("{\"kind\":\"Cluster\"}"));
      out.writeString(2, name);
      out.writeString(3, dest.toString());
      out.flush();
      request = WALRestoreRequest.parseFrom(bytes.toByteArray());
    } else {
      request =
          WALRestoreRequest.newBuilder()
              .setClusterDefinition(ByteString.copyFromUtf8("{\"kind\":\"Cluster\"}"))
              .setSourceWalName(name)
              .setDestinationFileName(dest.toString())
              .setMode(mode)
              .build();
    }
    wal.withDeadlineAfter(60, TimeUnit.SECONDS).restore(request);
  }

  /** What {@code klio get-wal} writes for {@code name}. */
  private byte[] getWal(String name) throws IOException {
    Path dest = tmp.resolve("get-wal-" + name + "-" + System.nanoTime());
    assertThat(
            Main.run("get-wal", "--config", klio.clientConfig().toString(), name, dest.toString()))
        .as("klio get-wal " + name)
        .isZero();
    return Files.readAllBytes(dest);
  }

  private static boolean isPartial(io.klio.client.KlioConnection c, String name) {
    try {
      return c.walFetcher().fetch(name, Duration.ofSeconds(30)).partial();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean metric(String line) {
    try {
      return klio.metrics().contains(line);
    } catch (IOException e) {
      return false;
    }
  }

  private Path pluginConfig(Path spool) throws IOException {
    Path config = tmp.resolve("plugin.yaml");
    Files.writeString(
        config,
        Files.readString(klio.clientConfig())
            .replace("  spool: " + tmp.resolve("spool"), "  spool: " + spool)
            .replace("  timeout: 5s", "  timeout: 1s"));
    assertThat(Files.readString(config)).contains(spool.toString()).contains("timeout: 1s");
    return config;
  }
}
