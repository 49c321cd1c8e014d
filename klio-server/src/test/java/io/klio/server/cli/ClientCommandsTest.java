package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * send-wal, get-wal and plugin serve in-process, where no server is needed to see what they say.
 */
class ClientCommandsTest {

  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  @TempDir Path dir;

  private Path config(String yaml) throws Exception {
    Path p = dir.resolve("client.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  private int getWal(Path config) {
    return Main.run(
        "get-wal",
        "--config",
        config.toString(),
        "000000010000000000000001",
        dir.resolve("out").toString());
  }

  @Test
  void getWalNamesTheServerAsWrittenWhenItCannotReachIt() throws Exception {
    // nothing listens on port 1 of the loopback: every attempt is refused at once
    Path c =
        config(
            "cluster: main\nserver: 127.0.0.1:1\ntls:\n  insecure: true\ngetWal:\n  timeout: 1s\n");
    assertThat(getWal(c)).isEqualTo(GetWalCommand.UNREACHABLE);
    assertThat(console.err())
        .contains("could not reach the Klio server at 127.0.0.1:1 within 1 s")
        .doesNotContain("unresolved");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  /** TLS files that exist but hold no certificates: an invalid configuration, as documented. */
  private Path unusableTls() throws Exception {
    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "not a certificate\n");
    return config(
        String.join(
            "\n",
            "cluster: main",
            "server: 127.0.0.1:1",
            "tls:",
            "  certificate: " + junk,
            "  key: " + junk,
            "  ca: " + junk,
            ""));
  }

  @Test
  void getWalExitsAbove125WhenTheTlsFilesCannotBeUsed() throws Exception {
    Path c = unusableTls();
    // 1 would tell PostgreSQL the file does not exist, and end recovery early
    assertThat(getWal(c)).isEqualTo(GetWalCommand.INVALID);
    assertThat(console.err()).contains("cannot use the TLS files").contains("junk.pem");
  }

  @Test
  void sendWalExits2WhenTheTlsFilesCannotBeUsed() throws Exception {
    Path c = unusableTls();
    assertThat(Main.run("send-wal", "--config", c.toString())).isEqualTo(2);
    assertThat(console.err())
        .contains("klio send-wal: invalid configuration")
        .contains("cannot use the TLS files");
  }

  @Test
  void pluginServeRefusesASocketNotNamedAfterThePlugin() throws Exception {
    Path c = config("cluster: main\nserver: 127.0.0.1:1\ntls:\n  insecure: true\n");
    Path socket = dir.resolve("klio.sock");
    assertThat(Main.run("plugin", "serve", "--config", c.toString(), "--socket", socket.toString()))
        .isEqualTo(2);
    assertThat(console.err())
        .contains("the socket must be named klio.cloudnative-pg.io")
        .contains(socket.toString());
    assertThat(socket).doesNotExist();
  }

  @Test
  void pluginServeExits2WhenTheTlsFilesCannotBeUsed() throws Exception {
    Path c = unusableTls();
    Path socket = dir.resolve("klio.cloudnative-pg.io");
    assertThat(Main.run("plugin", "serve", "--config", c.toString(), "--socket", socket.toString()))
        .isEqualTo(2);
    assertThat(console.err())
        .contains("klio plugin serve: invalid configuration")
        .contains("cannot use the TLS files");
    assertThat(socket).doesNotExist();
  }

  @Test
  void pluginServeExits1WhenTheSocketDirectoryIsMissing() throws Exception {
    Path c = config("cluster: main\nserver: 127.0.0.1:1\ntls:\n  insecure: true\n");
    Path socket = dir.resolve("plugins").resolve("klio.cloudnative-pg.io");
    assertThat(Main.run("plugin", "serve", "--config", c.toString(), "--socket", socket.toString()))
        .isEqualTo(1);
    assertThat(console.err()).contains("the directory of the socket " + socket + " does not exist");
  }
}
