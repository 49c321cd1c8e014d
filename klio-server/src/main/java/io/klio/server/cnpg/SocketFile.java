package io.klio.server.cnpg;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The unix socket file the plugin listens on, made ready before the server binds it. */
final class SocketFile {

  private static final Logger LOG = LoggerFactory.getLogger(SocketFile.class);

  private static final int TYPE_MASK = 0170000;
  private static final int SOCKET = 0140000;

  private SocketFile() {}

  /**
   * Makes {@code socket} free to bind: its directory must exist; a socket file nobody listens on
   * (what a killed or restarted plugin leaves behind) is removed; anything else there is refused.
   *
   * @throws IOException naming the path: no such directory, a file that is no socket, or a socket
   *     another process serves on
   */
  static void claim(Path socket) throws IOException {
    Path dir = socket.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IOException(
          "the directory of the socket "
              + socket
              + " does not exist (in a CloudNativePG pod: the volume mounted at /plugins in both"
              + " the postgres container and the plugin's)");
    }
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & TYPE_MASK) != SOCKET) {
      throw new IOException(socket + " exists and is not a socket; refusing to replace it");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      throw new IOException(
          "another process serves on " + socket + " already; stop it first, or use another path");
    } catch (ConnectException nobodyListens) {
      Files.delete(socket);
      LOG.info("removed the socket {} that no process served on any more", socket);
    }
  }
}
