package io.klio.server.cnpg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the plugin does with the path of its socket before binding it, with real unix sockets. */
class SocketFileTest {

  @TempDir Path dir;

  private Path socket() {
    return dir.resolve(PluginServer.NAME);
  }

  @Test
  void aFreePathIsLeftAlone() throws IOException {
    SocketFile.claim(socket());
    assertThat(socket()).doesNotExist();
  }

  @Test
  void aSocketNobodyListensOnIsRemoved() throws IOException {
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(socket()));
    } // closed: the file stays, as after a kill -9
    assertThat(socket()).exists();
    SocketFile.claim(socket());
    assertThat(socket()).doesNotExist();
  }

  @Test
  void aSocketAnotherProcessServesOnIsRefused() throws IOException {
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(socket()));
      assertThatThrownBy(() -> SocketFile.claim(socket()))
          .hasMessageContaining("another process serves on " + socket());
      assertThat(socket()).exists();
    }
  }

  @Test
  void aFileThatIsNoSocketIsRefused() throws IOException {
    Files.writeString(socket(), "data");
    assertThatThrownBy(() -> SocketFile.claim(socket()))
        .hasMessageContaining(socket() + " exists and is not a socket");
    assertThat(socket()).hasContent("data");
  }

  @Test
  void aMissingDirectoryIsRefused() {
    Path inMissing = dir.resolve("plugins").resolve(PluginServer.NAME);
    assertThatThrownBy(() -> SocketFile.claim(inMissing))
        .hasMessageContaining("the directory of the socket " + inMissing + " does not exist");
  }
}
