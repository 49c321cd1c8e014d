package io.klio.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

  @TempDir Path dir;

  private Path write(String name, String yaml) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, yaml);
    return p;
  }

  @Test
  void aMinimalInsecureServerGetsTheDefaults() throws Exception {
    ServerConfig.Resolved c =
        ServerConfig.load(
            write("s.yaml", "tier1:\n  path: /var/lib/klio\ntls:\n  insecure: true\n"));
    assertThat(c.listen().getPort()).isEqualTo(7433);
    assertThat(c.tls()).isEmpty();
    assertThat(c.compression().name()).isEqualTo("zstd");
    assertThat(c.flushInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.walSocket()).isEmpty();
    assertThat(c.http()).isPresent();
    assertThat(c.kek()).isEmpty();
    assertThat(c.logFormat()).isEqualTo(Logging.Format.TEXT);
  }

  @Test
  void unknownAndIllTypedFieldsAreNamedWithTheirLine() throws Exception {
    Path unknown =
        write("u.yaml", "tier1:\n  path: /x\ntls:\n  insecure: true\nwal:\n  compresion: lz4\n");
    assertThatThrownBy(() -> ServerConfig.load(unknown))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(unknown.toString())
        .hasMessageContaining("unknown field 'wal.compresion'")
        .hasMessageContaining("line 6")
        .hasMessageContaining("compression");
    Path typed = write("t.yaml", "tier1:\n  path: /x\ntls:\n  insecure: [yes]\n");
    assertThatThrownBy(() -> ServerConfig.load(typed))
        .hasMessageContaining("field 'tls.insecure'")
        .hasMessageContaining("wrong type");
    Path badYaml = write("b.yaml", "tier1: \"unclosed\n");
    assertThatThrownBy(() -> ServerConfig.load(badYaml)).hasMessageContaining("not valid YAML");
  }

  @Test
  void requiredFieldsValuesAndFilesAreChecked() throws Exception {
    assertThatThrownBy(() -> ServerConfig.load(write("a.yaml", "tls:\n  insecure: true\n")))
        .hasMessageContaining("'tier1.path' is required");
    assertThatThrownBy(() -> ServerConfig.load(write("b.yaml", "tier1:\n  path: /x\n")))
        .hasMessageContaining("section 'tls' is required");
    assertThatThrownBy(
            () ->
                ServerConfig.load(
                    write(
                        "c.yaml",
                        "tier1:\n  path: /x\ntls:\n  certificate: /nope.crt\n  key: /k\n  clientCa: /c\n")))
        .hasMessageContaining("field 'tls.certificate': /nope.crt is not a readable file");
    assertThatThrownBy(
            () ->
                ServerConfig.load(
                    write(
                        "d.yaml",
                        "tier1:\n  path: /x\ntls:\n  insecure: true\nwal:\n  flushInterval: soon\n")))
        .hasMessageContaining("'wal.flushInterval': 'soon' is not a duration");
    assertThatThrownBy(
            () ->
                ServerConfig.load(
                    write(
                        "e.yaml",
                        "tier1:\n  path: /x\ntls:\n  insecure: true\nwal:\n  compression: brotli\n")))
        .hasMessageContaining("'wal.compression'")
        .hasMessageContaining("no codec named 'brotli'; known: lz4, none, zstd");
    assertThatThrownBy(
            () ->
                ServerConfig.load(
                    write(
                        "f.yaml", "listen: nowhere\ntier1:\n  path: /x\ntls:\n  insecure: true\n")))
        .hasMessageContaining("field 'listen': 'nowhere' is not host:port");
    assertThatThrownBy(
            () ->
                ServerConfig.load(
                    write(
                        "g.yaml",
                        "tier1:\n  path: /x\ntls:\n  insecure: true\nwal:\n  socketListen: 7434\n")))
        .hasMessageContaining("field 'wal.socketListen': '7434' is not host:port");
    assertThatThrownBy(() -> ServerConfig.load(dir.resolve("missing.yaml")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void tier2IsCheckedWithTheFieldNamed() throws Exception {
    String base = "tier1:\n  path: /x\ntls:\n  insecure: true\ntier2:\n";
    ServerConfig.Tier2Settings t =
        ServerConfig.load(write("t1.yaml", base + "  uri: s3://b/p\n")).tier2().orElseThrow();
    assertThat(t).isEqualTo(new ServerConfig.Tier2Settings("s3://b/p", 4, 0, 85));
    assertThat(
            ServerConfig.load(
                    write(
                        "t2.yaml",
                        base + "  uri: s3://b\n  bandwidth: 100MiB/s\n  parallelism: 8\n"))
                .tier2()
                .orElseThrow())
        .isEqualTo(new ServerConfig.Tier2Settings("s3://b", 8, 100L << 20, 85));
    assertThatThrownBy(() -> ServerConfig.load(write("t3.yaml", base + "  parallelism: 2\n")))
        .hasMessageContaining("'tier2.uri' is required");
    assertThatThrownBy(
            () -> ServerConfig.load(write("t4.yaml", base + "  uri: s3://b\n  bandwidth: fast\n")))
        .hasMessageContaining("'tier2.bandwidth'")
        .hasMessageContaining("not a bandwidth");
    assertThatThrownBy(
            () -> ServerConfig.load(write("t5.yaml", base + "  uri: s3://b\n  parallelism: 0\n")))
        .hasMessageContaining("'tier2.parallelism' must be 1 to 64");
    assertThatThrownBy(
            () ->
                ServerConfig.load(
                    write("t6.yaml", base + "  uri: s3://b\n  tier1UsageWarning: 100\n")))
        .hasMessageContaining("'tier2.tier1UsageWarning'");
    assertThat(
            ServerConfig.load(write("t7.yaml", "tier1:\n  path: /x\ntls:\n  insecure: true\n"))
                .tier2())
        .isEmpty();
  }

  @Test
  void clientDefaultsAndChecks() throws Exception {
    ClientConfig.Resolved c =
        ClientConfig.load(
            write("c.yaml", "cluster: pg-main\nserver: 10.0.0.1:7433\ntls:\n  insecure: true\n"));
    assertThat(c.slot()).isEqualTo("klio");
    assertThat(c.createSlot()).isTrue();
    assertThat(c.client().synchronous()).isFalse();
    assertThat(c.prefetch()).isEqualTo(4);
    assertThat(c.getWalTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThatThrownBy(
            () ->
                ClientConfig.load(
                    write("d.yaml", "cluster: Not_A_Name\nserver: a:1\ntls:\n  insecure: true\n")))
        .hasMessageContaining("field 'cluster'");
    assertThatThrownBy(
            () ->
                ClientConfig.load(
                    write(
                        "e.yaml",
                        "cluster: a\nserver: a:1\ntls:\n  insecure: true\ngetWal:\n  prefetch: 1000\n")))
        .hasMessageContaining("'getWal.prefetch' must be within 0..64");
    assertThat(c.client().compressionLevel()).isEqualTo(1);
    String base = "cluster: a\nserver: a:1\ntls:\n  insecure: true\ncompression: ";
    assertThat(ClientConfig.load(write("f.yaml", base + "none\n")).client().compressionLevel())
        .isZero();
    assertThat(ClientConfig.load(write("g.yaml", base + "zstd:7\n")).client().compressionLevel())
        .isEqualTo(7);
    for (String bad : new String[] {"lz4", "zstd:0", "zstd:20", "zstd:x"}) {
      assertThatThrownBy(() -> ClientConfig.load(write("h.yaml", base + bad + "\n")))
          .hasMessageContaining("field 'compression' must be none, zstd or zstd:<level 1-19>")
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void clientBackupSectionDefaultsAndChecks() throws Exception {
    String base = "cluster: a\nserver: a:1\ntls:\n  insecure: true\n";
    ClientConfig.BackupSettings d = ClientConfig.load(write("b1.yaml", base)).backup();
    assertThat(d.pgdata()).isEmpty();
    assertThat(d.jobs()).isEqualTo(Math.min(64, Runtime.getRuntime().availableProcessors()));
    assertThat(d.label()).isEqualTo("klio");
    assertThat(d.fast()).isTrue();
    assertThat(d.walTimeout()).isEmpty();
    ClientConfig.BackupSettings b =
        ClientConfig.load(
                write(
                    "b2.yaml",
                    base
                        + "backup:\n  pgdata: /var/lib/pg\n  jobs: 3\n  label: nightly\n"
                        + "  fast: false\n  walTimeout: 2m\n"))
            .backup();
    assertThat(b.pgdata()).contains(Path.of("/var/lib/pg"));
    assertThat(b.jobs()).isEqualTo(3);
    assertThat(b.label()).isEqualTo("nightly");
    assertThat(b.fast()).isFalse();
    assertThat(b.walTimeout()).contains(Duration.ofMinutes(2));
    for (String[] bad :
        new String[][] {
          {"jobs: 0", "'backup.jobs' must be within 1..64"},
          {"jobs: 65", "'backup.jobs' must be within 1..64"},
          {"walTimeout: 500ms", "'backup.walTimeout' must be within 1s..24h"},
          {"walTimeout: 25h", "'backup.walTimeout' must be within 1s..24h"},
          {"walTimeout: soon", "field 'backup.walTimeout'"},
          {"label: ''", "'backup.label' must be 1 to 1023 bytes"},
          {"pgdata: ''", "'backup.pgdata' is empty"},
          {"frobnicate: 1", "frobnicate"}
        }) {
      assertThatThrownBy(
              () -> ClientConfig.load(write("b3.yaml", base + "backup:\n  " + bad[0] + "\n")))
          .as(bad[0])
          .hasMessageContaining(bad[1]);
    }
  }
}
