package io.klio.backup;

import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.Tablespace;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds what a base backup of a PostgreSQL data directory takes: every directory and regular file
 * of the data directory and of each tablespace, leaving out exactly what PostgreSQL's own base
 * backups ({@code pg_basebackup}, {@code BASE_BACKUP}) leave out for the server's major version
 * (docs/base-backups.md lists the rules). {@code global/pg_control} comes last.
 *
 * <p>Each {@link #walk()} reads the file system afresh and lazily: memory holds the names of the
 * directories on the current path, never the whole tree. Files that vanish while walking are
 * skipped; anything that is neither a directory, a regular file nor a tablespace link is skipped
 * with a warning (logged), as PostgreSQL does.
 *
 * <p>Immutable and thread-safe; each walk is used by one thread.
 */
public final class PgDataWalker {

  private final Path dataDirectory;
  private final PgDataRules rules;
  private final String versionDirectory;

  private PgDataWalker(Path dataDirectory, PgDataRules rules, String versionDirectory) {
    this.dataDirectory = dataDirectory;
    this.rules = rules;
    this.versionDirectory = versionDirectory;
  }

  /**
   * A walker of the data directory {@code dataDirectory}: reads its major version from {@code
   * PG_VERSION} and its catalog version from {@code global/pg_control} (which name the tablespace
   * directories, {@code PG_15_202209061}).
   *
   * @throws PermanentException when the directory is not a PostgreSQL 15+ data directory
   */
  public static PgDataWalker open(Path dataDirectory) throws IOException {
    Path dir = dataDirectory.toAbsolutePath().normalize();
    int major = readMajor(dir);
    long catalog = readCatalogVersion(dir);
    PgDataRules rules;
    try {
      rules = PgDataRules.forMajor(major);
    } catch (IllegalArgumentException e) {
      throw new PermanentException(dir + ": " + e.getMessage(), e);
    }
    return new PgDataWalker(dir, rules, "PG_" + major + "_" + catalog);
  }

  private static int readMajor(Path dir) throws IOException {
    Path file = dir.resolve("PG_VERSION");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      throw new PermanentException(
          dir
              + " is not a PostgreSQL data directory: it has no PG_VERSION; give the data"
              + " directory itself (PGDATA)",
          e);
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new PermanentException(
          file + " says '" + text + "'; Klio backs up PostgreSQL 15 and newer", e);
    }
  }

  private static long readCatalogVersion(Path dir) throws IOException {
    Path file = dir.resolve(DataFile.CONTROL_FILE);
    byte[] head = new byte[16];
    try (var in = Files.newInputStream(file)) {
      if (in.readNBytes(head, 0, head.length) != head.length) {
        throw new PermanentException(file + " is shorter than 16 bytes: not a control file");
      }
    } catch (NoSuchFileException e) {
      throw new PermanentException(dir + " has no " + DataFile.CONTROL_FILE, e);
    }
    // ControlFileData: system_identifier (8), pg_control_version (4), catalog_version_no (4)
    long catalog = ByteBuffer.wrap(head).order(ByteOrder.nativeOrder()).getInt(12) & 0xFFFFFFFFL;
    if (catalog < 200_000_000L || catalog > 999_999_999L) {
      throw new PermanentException(
          file + " holds catalog version " + catalog + ", which is not a YYYYMMDDN date");
    }
    return catalog;
  }

  /** The data directory, absolute. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The server's major version, from {@code PG_VERSION}. */
  public int serverMajor() {
    return rules.major();
  }

  /**
   * The directory each tablespace keeps this server's files in, such as {@code PG_15_202209061}.
   */
  public String tablespaceVersionDirectory() {
    return versionDirectory;
  }

  /**
   * The tablespaces in {@code pg_tblspc} now, as {@code pg_backup_start} lists them: oid and
   * location (the link's target; {@code pg_tblspc/<oid>} for an in-place tablespace).
   */
  public List<Tablespace> tablespaces() throws IOException {
    List<Tablespace> out = new ArrayList<>();
    for (TablespaceLink t : TablespaceScan.scan(dataDirectory, rules)) {
      out.add(Tablespace.newBuilder().setOid((int) t.oid()).setLocation(t.location()).build());
    }
    return out;
  }

  /** A new walk over the data directory and its tablespaces, in a fixed order. */
  public Walk walk() throws IOException {
    return new DataDirectoryWalk(
        dataDirectory, rules, versionDirectory, TablespaceScan.scan(dataDirectory, rules));
  }

  /**
   * One pass over the files: directories before what they hold, names in order within a directory,
   * tablespaces where their links are, {@code global/pg_control} last. Not thread-safe.
   */
  public interface Walk extends Closeable {

    /**
     * The next directory or file, or empty at the end.
     *
     * @throws IOException when a directory cannot be read (other than because it vanished)
     */
    Optional<DataFile> next() throws IOException;

    @Override
    void close();
  }

  @Override
  public String toString() {
    return "PgDataWalker[" + dataDirectory + ", PostgreSQL " + rules.major() + "]";
  }
}
