package io.klio.backup;

import io.klio.api.io.DurableFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The directories a restore creates: made when first needed (by a directory entry, or as the parent
 * of a file, from any thread), given their modes and times once every file is written (a mode
 * without write permission would stop the files going in; a file going in changes the time), then
 * fsynced with their parents. Keeps one small record per directory; a data directory has a few
 * dozen plus one per database and tablespace. Thread-safe.
 */
final class RestoreDirectories {

  /** What the manifest says of a directory; absent for one made only as a parent. */
  private record Attributes(int mode, long mtimeSeconds, int mtimeNanos) {}

  private static final Attributes NONE = new Attributes(-1, 0, 0);

  private final Map<Path, Attributes> created = new ConcurrentHashMap<>();

  /** Makes {@code dir} and its missing parents. */
  void ensure(Path dir) throws IOException {
    if (created.containsKey(dir) || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      ensure(parent);
    }
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
    created.putIfAbsent(dir, NONE);
  }

  /** Makes {@code dir} (when it is not there yet) and remembers its mode and time. */
  void entry(Path dir, int mode, long mtimeSeconds, int mtimeNanos) throws IOException {
    ensure(dir);
    created.put(dir, new Attributes(mode, mtimeSeconds, mtimeNanos));
  }

  /** Whether {@code dir} was made by this restore. */
  boolean isCreated(Path dir) {
    return created.containsKey(dir);
  }

  /** Number of directories the manifest described. */
  long described() {
    return created.values().stream().filter(a -> a != NONE).count();
  }

  /**
   * Sets each directory's mode and time, deepest first, then fsyncs every directory made and the
   * parent of each one made at the top.
   */
  void finish() throws IOException {
    List<Path> dirs = new ArrayList<>(created.keySet());
    dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path d : dirs) {
      Attributes a = created.get(d);
      if (a != NONE) {
        Files.setPosixFilePermissions(d, Modes.permissions(a.mode()));
        Files.setLastModifiedTime(
            d, FileTime.from(Instant.ofEpochSecond(a.mtimeSeconds(), a.mtimeNanos())));
      }
    }
    Set<Path> parents = new HashSet<>();
    for (Path d : dirs) {
      DurableFiles.fsyncDirectory(d);
      Path parent = d.getParent();
      if (parent != null && !created.containsKey(parent)) {
        parents.add(parent);
      }
    }
    for (Path p : parents) {
      DurableFiles.fsyncDirectory(p);
    }
  }
}
