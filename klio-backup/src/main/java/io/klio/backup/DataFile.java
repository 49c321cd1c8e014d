package io.klio.backup;

import io.klio.api.grpc.v1.FileKind;
import java.nio.file.Path;

/**
 * A directory or regular file that a base backup takes, as {@link PgDataWalker} found it.
 *
 * @param path the name in the backup: relative to the data directory, {@code /}-separated; {@code
 *     .} for the data directory itself; a tablespace's files as {@code pg_tblspc/<oid>/<path inside
 *     the tablespace directory>} and the tablespace directory itself as {@code pg_tblspc/<oid>}
 * @param source where it is on this host
 * @param kind {@link FileKind#FILE_KIND_FILE} or {@link FileKind#FILE_KIND_DIRECTORY}
 * @param mode the permission bits, such as {@code 0600}
 * @param size a regular file's size when it was found (0 for directories); the backup records the
 *     bytes it reads, which may be fewer when the file shrinks meanwhile, never more
 * @param mtimeSeconds modification time, seconds since 1970
 * @param mtimeNanos and nanoseconds
 */
public record DataFile(
    String path,
    Path source,
    FileKind kind,
    int mode,
    long size,
    long mtimeSeconds,
    int mtimeNanos) {

  /** The name of the control file, which a backup reads after every other file. */
  public static final String CONTROL_FILE = "global/pg_control";

  /** The name of the data directory itself. */
  public static final String ROOT = ".";

  public boolean isDirectory() {
    return kind == FileKind.FILE_KIND_DIRECTORY;
  }

  /** True for {@code global/pg_control}, which must be read last. */
  public boolean isControlFile() {
    return path.equals(CONTROL_FILE);
  }
}
