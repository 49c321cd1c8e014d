package io.klio.api.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a crash (kill -9, power loss) leaves either the old content or the new,
 * never a mix, and so that what was written survives: a temporary file beside the target, {@code
 * force}, an atomic rename, then an fsync of the directory. The one implementation every module
 * uses. Stateless and thread-safe; two writers of one target at once each write their own temporary
 * file, and the last rename wins.
 */
public final class DurableFiles {

  private DurableFiles() {}

  /** Writes the bytes that {@code writer} puts into an open channel. */
  @FunctionalInterface
  public interface ChannelWriter {
    void writeTo(FileChannel channel) throws IOException;
  }

  /** Replaces {@code target} with {@code content} atomically and durably. */
  public static void write(Path target, byte[] content) throws IOException {
    write(
        target,
        ch -> {
          ByteBuffer b = ByteBuffer.wrap(content);
          while (b.hasRemaining()) {
            ch.write(b);
          }
        });
  }

  /**
   * Replaces {@code target} with what {@code writer} writes, atomically and durably. When the
   * writer fails, the temporary file is removed and {@code target} is left as it was.
   */
  public static void write(Path target, ChannelWriter writer) throws IOException {
    Path abs = target.toAbsolutePath();
    Path tmp = temporaryFor(abs);
    boolean moved = false;
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        writer.writeTo(ch);
        ch.force(true);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
      fsyncDirectory(abs.getParent());
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Renames {@code source} to {@code target} atomically (replacing it) and fsyncs the target's
   * directory, and the source's when it is another one.
   */
  public static void move(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Path to = target.toAbsolutePath().getParent();
    Path from = source.toAbsolutePath().getParent();
    fsyncDirectory(to);
    if (!from.equals(to)) {
      fsyncDirectory(from);
    }
  }

  /** fsyncs a directory, so that a file created, renamed or removed in it survives a crash. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Creates {@code dir} and its missing parents, fsyncing each parent after a child was made in it,
   * so that a directory holding a durable file is itself durable. A directory made at the same time
   * by another process is fine.
   *
   * @throws FileAlreadyExistsException when a path on the way is a file
   */
  public static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
      return;
    }
    if (parent != null) {
      fsyncDirectory(parent);
    }
  }

  /**
   * The temporary file {@link #write} uses for {@code target}: hidden, beside it (so the rename
   * stays on one file system), and unique to this process and thread.
   */
  static Path temporaryFor(Path target) {
    return target.resolveSibling(
        "."
            + target.getFileName()
            + ".tmp-"
            + ProcessHandle.current().pid()
            + "-"
            + Thread.currentThread().getId());
  }
}
