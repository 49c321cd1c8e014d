package io.klio.backup;

import io.klio.api.grpc.v1.FileKind;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One depth-first walk of a data directory with PostgreSQL's {@code sendDir} rules ({@link
 * PgDataRules}). Frames hold one directory's sorted names each; entries found are queued in {@code
 * ready} (a directory may yield several: {@code pg_wal} and the directories made inside it).
 */
final class DataDirectoryWalk implements PgDataWalker.Walk {

  private static final Logger LOG = LoggerFactory.getLogger(PgDataWalker.class);
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
  private static final LinkOption[] FOLLOW = {};

  /**
   * A directory being walked: where it is, its name prefix in the backup, its path as PostgreSQL
   * spells it (for the relation rules), whether it is in the main data directory, its names.
   */
  private static final class Frame {
    final Path dir;
    final String prefix;
    final String cPath;
    final PgDataRules.DirectoryKind kind;
    final boolean main;
    final List<String> names;
    int next;

    Frame(
        Path dir,
        String prefix,
        String cPath,
        PgDataRules.DirectoryKind kind,
        boolean main,
        List<String> names) {
      this.dir = dir;
      this.prefix = prefix;
      this.cPath = cPath;
      this.kind = kind;
      this.main = main;
      this.names = names;
    }
  }

  private enum State {
    START,
    WALKING,
    CONTROL,
    DONE
  }

  private final Path dataDirectory;
  private final PgDataRules rules;
  private final String versionDirectory;
  private final Map<String, TablespaceLink> byName = new HashMap<>();
  private final Map<String, TablespaceLink> byInsidePath = new HashMap<>();
  private final ArrayDeque<Frame> frames = new ArrayDeque<>();
  private final ArrayDeque<DataFile> ready = new ArrayDeque<>();
  private State state = State.START;
  private int linkDirectoryMode = 0700;

  DataDirectoryWalk(
      Path dataDirectory,
      PgDataRules rules,
      String versionDirectory,
      List<TablespaceLink> tablespaces) {
    this.dataDirectory = dataDirectory;
    this.rules = rules;
    this.versionDirectory = versionDirectory;
    for (TablespaceLink t : tablespaces) {
      byName.put(t.name(), t);
      t.insideDataDirectory().ifPresent(p -> byInsidePath.put(p, t));
    }
  }

  @Override
  public Optional<DataFile> next() throws IOException {
    while (true) {
      if (!ready.isEmpty()) {
        return Optional.of(ready.poll());
      }
      switch (state) {
        case START -> {
          PosixFileAttributes a = attributes(dataDirectory, FOLLOW);
          // convert_link_to_directory: pg_dir_create_mode, 0750 when the group may read PGDATA
          linkDirectoryMode = (Modes.bits(a.permissions()) & 0040) != 0 ? 0750 : 0700;
          ready.add(directory(DataFile.ROOT, dataDirectory, a));
          push(dataDirectory, "", ".", true);
          state = State.WALKING;
        }
        case WALKING -> {
          Frame f = frames.peek();
          if (f == null) {
            state = State.CONTROL;
          } else if (f.next == f.names.size()) {
            frames.pop();
          } else {
            visit(f, f.names.get(f.next++));
          }
        }
        case CONTROL -> {
          state = State.DONE;
          Path control = dataDirectory.resolve(DataFile.CONTROL_FILE);
          return Optional.of(file(DataFile.CONTROL_FILE, control, attributes(control, NOFOLLOW)));
        }
        case DONE -> {
          return Optional.empty();
        }
      }
    }
  }

  private void visit(Frame f, String name) throws IOException {
    if (name.indexOf('\uFFFD') >= 0) {
      LOG.warn(
          "skipping {}{}: its name is not valid in this JVM's file name encoding; run Klio with a"
              + " UTF-8 locale (LANG=C.UTF-8)",
          f.prefix,
          name);
      return;
    }
    if (rules.skippedByName(name)) {
      return;
    }
    Path path = f.dir.resolve(name);
    if (f.kind.holdsRelations()) {
      String initFork = rules.initForkOf(name);
      if (initFork != null && Files.exists(f.dir.resolve(initFork), NOFOLLOW)) {
        return; // a fork of an unlogged relation other than its init fork
      }
      if (f.kind == PgDataRules.DirectoryKind.DATABASE
          && PgDataRules.looksLikeTemporaryRelation(name)) {
        return;
      }
    }
    String rel = f.prefix + name;
    if (f.main && rel.equals(DataFile.CONTROL_FILE)) {
      return; // comes last
    }
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW);
    } catch (NoSuchFileException e) {
      return; // vanished
    }
    if (rules.contentsExcluded(name)) {
      if (a.isDirectory() || a.isSymbolicLink()) {
        ready.add(directoryOrLink(rel, path, a));
      }
      return;
    }
    if (f.main && rel.equals("pg_wal")) {
      DataFile wal = directoryOrLink(rel, path, a);
      ready.add(wal);
      for (String sub : rules.walSubdirectories()) {
        ready.add(
            new DataFile(
                "pg_wal/" + sub,
                path.resolve(sub),
                FileKind.FILE_KIND_DIRECTORY,
                wal.mode(),
                0,
                wal.mtimeSeconds(),
                wal.mtimeNanos()));
      }
      return;
    }
    if (f.main && f.prefix.equals("pg_tblspc/") && a.isSymbolicLink()) {
      TablespaceLink t = byName.get(name);
      if (t == null) {
        LOG.warn("skipping {}: a symbolic link that is not a tablespace", rel);
      } else {
        visitTablespace(t);
      }
      return;
    }
    if (a.isDirectory()) {
      ready.add(directory(rel, path, a));
      TablespaceLink inside = f.main ? byInsidePath.get(rel) : null;
      if (inside == null) {
        push(path, rel + "/", f.cPath + "/" + name, f.main);
      } else if (rel.equals("pg_tblspc/" + inside.name())) {
        visitVersionDirectory(inside); // an in-place tablespace
      }
      return;
    }
    if (a.isRegularFile()) {
      ready.add(file(rel, path, a));
      return;
    }
    LOG.warn(
        "skipping {}: {}, which PostgreSQL's base backups skip too",
        rel,
        a.isSymbolicLink()
            ? "a symbolic link outside pg_tblspc"
            : "neither a file nor a directory");
  }

  /** A tablespace link: the tablespace directory as {@code pg_tblspc/<oid>}, then its files. */
  private void visitTablespace(TablespaceLink t) throws IOException {
    String rel = "pg_tblspc/" + t.name();
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(t.directory(), PosixFileAttributes.class, FOLLOW);
    } catch (NoSuchFileException e) {
      LOG.warn(
          "skipping {}: its link points to {}, which does not exist; the tablespace has no files"
              + " in the backup",
          rel,
          t.location());
      return;
    }
    if (!a.isDirectory()) {
      LOG.warn("skipping {}: its link points to {}, which is not a directory", rel, t.location());
      return;
    }
    ready.add(directory(rel, t.directory(), a));
    visitVersionDirectory(t);
  }

  /** sendTablespace: only the directory of this server's version, {@code PG_15_202209061}. */
  private void visitVersionDirectory(TablespaceLink t) throws IOException {
    Path dir = t.directory().resolve(versionDirectory);
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(dir, PosixFileAttributes.class, FOLLOW);
    } catch (NoSuchFileException e) {
      return; // the tablespace went away, or holds no data of this server
    }
    String rel = "pg_tblspc/" + t.name() + "/" + versionDirectory;
    ready.add(directory(rel, dir, a));
    push(dir, rel + "/", t.location() + "/" + versionDirectory, false);
  }

  private void push(Path dir, String prefix, String cPath, boolean main) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return; // vanished, or replaced by a file
    }
    names.sort(null);
    frames.push(
        new Frame(dir, prefix, cPath, rules.directoryKind(cPath, versionDirectory), main, names));
  }

  private DataFile directoryOrLink(String rel, Path path, PosixFileAttributes a) {
    if (a.isDirectory()) {
      return directory(rel, path, a);
    }
    return new DataFile(
        rel,
        path,
        FileKind.FILE_KIND_DIRECTORY,
        linkDirectoryMode,
        0,
        a.lastModifiedTime().toInstant().getEpochSecond(),
        a.lastModifiedTime().toInstant().getNano());
  }

  private static DataFile directory(String rel, Path path, PosixFileAttributes a) {
    return entry(rel, path, FileKind.FILE_KIND_DIRECTORY, a, 0);
  }

  private static DataFile file(String rel, Path path, PosixFileAttributes a) {
    return entry(rel, path, FileKind.FILE_KIND_FILE, a, a.size());
  }

  private static DataFile entry(
      String rel, Path path, FileKind kind, PosixFileAttributes a, long size) {
    var t = a.lastModifiedTime().toInstant();
    return new DataFile(
        rel, path, kind, Modes.bits(a.permissions()), size, t.getEpochSecond(), t.getNano());
  }

  private static PosixFileAttributes attributes(Path p, LinkOption[] options) throws IOException {
    return Files.readAttributes(p, PosixFileAttributes.class, options);
  }

  @Override
  public void close() {
    frames.clear();
    ready.clear();
    state = State.DONE;
  }
}
