package io.klio.server.quickstart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The quickstart's directory: a new temporary one, or {@code --dir} (which must be empty or not
 * exist). {@link #remove} deletes what the quickstart put there, and the directory itself when the
 * quickstart made it.
 */
final class WorkDir {

  private final Path root;
  private final boolean made;

  private WorkDir(Path root, boolean made) {
    this.root = root;
    this.made = made;
  }

  /**
   * A new temporary directory, or {@code dir}. Readable by all when {@code shared} (another OS user
   * runs PostgreSQL and the commands next to it), else only by the current user.
   */
  static WorkDir create(Optional<Path> dir, boolean shared) throws IOException {
    WorkDir w;
    if (dir.isEmpty()) {
      w = new WorkDir(Files.createTempDirectory("klio-quickstart-").toAbsolutePath(), true);
    } else {
      Path d = dir.get().toAbsolutePath().normalize();
      if (shared) {
        reachable(d);
      }
      if (Files.exists(d)) {
        if (!Files.isDirectory(d)) {
          throw new IllegalArgumentException(d + " exists and is not a directory");
        }
        try (Stream<Path> s = Files.list(d)) {
          if (s.findAny().isPresent()) {
            throw new IllegalArgumentException(
                d + " is not empty; give a new or an empty directory");
          }
        }
        w = new WorkDir(d, false);
      } else {
        Files.createDirectories(d);
        w = new WorkDir(d, true);
      }
    }
    Files.setPosixFilePermissions(
        w.root, PosixFilePermissions.fromString(shared ? "rwxr-xr-x" : "rwx------"));
    return w;
  }

  /** Fails unless every existing directory above {@code dir} lets other users through (o+x). */
  private static void reachable(Path dir) throws IOException {
    for (Path p = dir.getParent(); p != null; p = p.getParent()) {
      if (Files.exists(p)
          && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IllegalArgumentException(
            p
                + " does not let other users through (mode o+x), so PostgreSQL's OS user cannot"
                + " reach "
                + dir
                + "; give a --dir it can reach (the default, in the system's temp directory, is)");
      }
    }
  }

  Path root() {
    return root;
  }

  Path resolve(String other) {
    return root.resolve(other);
  }

  /** Makes {@code name} (and its parents) under the directory and returns it. */
  Path mkdirs(String name) throws IOException {
    return Files.createDirectories(root.resolve(name));
  }

  /** Deletes everything in the directory, and the directory when the quickstart made it. */
  void remove() throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            if (made || !d.equals(root)) {
              delete(d);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void delete(Path p) throws IOException {
    try {
      Files.delete(p);
    } catch (NoSuchFileException gone) {
      // a process that was still stopping removed it (postmaster.pid, say)
    }
  }

  /** A TCP port on 127.0.0.1 that is free now. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port on the loopback interface", e);
    }
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
