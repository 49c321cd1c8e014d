package io.klio.backup;

import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.Tablespace;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a restore puts each name of the backup: the target data directory, and each tablespace's
 * directory (its original location, or the one a {@link TablespaceMapping} gives). Checks that
 * every directory it writes into is new or empty, and refuses names that would leave the target.
 */
final class RestoreLayout {

  /** A tablespace of the backup and where it goes; {@code directory} is null when in place. */
  record Target(String oid, String location, Path directory) {}

  private final Path target;
  private final Map<String, Target> tablespaces;

  private RestoreLayout(Path target, Map<String, Target> tablespaces) {
    this.target = target;
    this.tablespaces = tablespaces;
  }

  static RestoreLayout of(
      Path target, List<Tablespace> tablespaces, List<TablespaceMapping> mappings)
      throws PermanentException {
    Path dir = target.toAbsolutePath().normalize();
    Map<String, String> byOld = new HashMap<>();
    for (TablespaceMapping m : mappings) {
      if (byOld.put(m.oldDirectory(), m.newDirectory()) != null) {
        throw new PermanentException(
            "two tablespace mappings name " + m.oldDirectory() + "; give one per tablespace");
      }
    }
    Map<String, Target> out = new LinkedHashMap<>();
    Set<String> used = new HashSet<>();
    Set<Path> directories = new HashSet<>();
    for (Tablespace t : tablespaces) {
      String oid = Integer.toUnsignedString(t.getOid());
      String location = t.getLocation();
      if (!location.startsWith("/")) {
        out.put(oid, new Target(oid, location, null)); // in place, inside the data directory
        continue;
      }
      String original = Path.of(location).normalize().toString();
      String mapped = byOld.get(original);
      if (mapped != null) {
        used.add(original);
      }
      Path d = Path.of(mapped != null ? mapped : original);
      if (!directories.add(d)) {
        throw new PermanentException(
            "two tablespaces of the backup would go to " + d + "; map one elsewhere");
      }
      if (d.startsWith(dir)) {
        throw new PermanentException(
            "tablespace "
                + oid
                + " would go to "
                + d
                + ", inside the target data directory "
                + dir
                + "; map it outside with --tablespace-mapping "
                + original
                + "=NEWDIR");
      }
      out.put(oid, new Target(oid, location, d));
    }
    for (String old : byOld.keySet()) {
      if (!used.contains(old)) {
        throw new PermanentException(
            "the tablespace mapping of "
                + old
                + " matches no tablespace of the backup; its tablespaces are at: "
                + (out.isEmpty()
                    ? "(none)"
                    : out.values().stream()
                        .map(Target::location)
                        .collect(Collectors.joining(", "))));
      }
    }
    return new RestoreLayout(dir, out);
  }

  Path target() {
    return target;
  }

  /** The tablespaces restored into directories of their own (not in place). */
  List<Target> linkedTablespaces() {
    List<Target> l = new ArrayList<>();
    for (Target t : tablespaces.values()) {
      if (t.directory() != null) {
        l.add(t);
      }
    }
    return l;
  }

  /**
   * Refuses to write anything when the target or a tablespace directory exists and is not an empty
   * directory.
   */
  void check() throws IOException {
    requireNewOrEmpty(
        target,
        "the target data directory "
            + target
            + " is not empty; a restore never overwrites files: give a new or empty directory,"
            + " or empty this one first");
    for (Target t : linkedTablespaces()) {
      requireNewOrEmpty(
          t.directory(),
          "the directory "
              + t.directory()
              + " of tablespace "
              + t.oid()
              + " is not empty; empty it, or restore the tablespace elsewhere with"
              + " --tablespace-mapping "
              + Path.of(t.location()).normalize()
              + "=NEWDIR");
    }
  }

  private static void requireNewOrEmpty(Path dir, String message) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new PermanentException(message.replace("is not empty", "is not a directory"));
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      if (ds.iterator().hasNext()) {
        throw new PermanentException(message);
      }
    }
  }

  /** Creates the target, {@code pg_tblspc}, each tablespace directory and its link. */
  void create(RestoreDirectories dirs) throws IOException {
    dirs.ensure(target);
    if (tablespaces.isEmpty()) {
      return;
    }
    Path tblspc = target.resolve("pg_tblspc");
    dirs.ensure(tblspc);
    for (Target t : linkedTablespaces()) {
      dirs.ensure(t.directory());
      Files.createSymbolicLink(tblspc.resolve(t.oid()), t.directory());
    }
  }

  /**
   * Where the backup's name {@code path} goes.
   *
   * @throws PermanentException for a name that is absolute, empty, or has {@code .}, {@code ..} or
   *     empty segments (a damaged or hostile manifest must not write outside the target)
   */
  Path resolve(String path) throws PermanentException {
    if (path.equals(DataFile.ROOT)) {
      return target;
    }
    if (path.isEmpty() || path.startsWith("/") || path.indexOf('\0') >= 0) {
      throw badName(path);
    }
    String[] parts = path.split("/", -1);
    for (String p : parts) {
      if (p.isEmpty() || p.equals(".") || p.equals("..")) {
        throw badName(path);
      }
    }
    if (parts.length >= 2 && parts[0].equals("pg_tblspc")) {
      Target t = tablespaces.get(parts[1]);
      if (t != null && t.directory() != null) {
        Path d = t.directory();
        for (int i = 2; i < parts.length; i++) {
          d = d.resolve(parts[i]);
        }
        return d;
      }
    }
    return target.resolve(path);
  }

  private static PermanentException badName(String path) {
    return new PermanentException(
        "the manifest names '"
            + path
            + "', which is not a relative path inside the data directory; the manifest is"
            + " damaged: restore another backup");
  }

  /** The tablespaces whose directory is not where it was, by oid, with the new directory. */
  Map<String, String> relocated() {
    Map<String, String> m = new HashMap<>();
    for (Target t : linkedTablespaces()) {
      if (!t.directory().toString().equals(Path.of(t.location()).normalize().toString())) {
        m.put(t.oid(), t.directory().toString());
      }
    }
    return m;
  }
}
