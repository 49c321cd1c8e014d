package io.klio.backup.pgmanifest;

import io.klio.backup.pgmanifest.BackupManifestVerifier.Finding;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Kind;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Options;
import io.klio.backup.pgmanifest.ParsedManifest.ManifestEntry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The walk of pg_verifybackup's {@code verify_plain_backup_directory}: every entry is examined with
 * {@code stat()} semantics (symbolic links followed), directories are entered, anything else that
 * is not a regular file is a finding, and each regular file is matched with its manifest entry by
 * path and size. Paths that cannot be examined are reported once and then ignored, with everything
 * under them, as pg does. Directories are visited in name order.
 */
final class DirectoryCheck {

  private final Path root;
  private final ParsedManifest manifest;
  private final Options options;
  private final List<Finding> findings;
  private final List<String> ignore;
  private final Map<String, Path> matched = new HashMap<>();
  private final Set<String> bad = new HashSet<>();

  DirectoryCheck(Path root, ParsedManifest manifest, Options options, List<Finding> findings) {
    this.root = root;
    this.manifest = manifest;
    this.options = options;
    this.findings = findings;
    this.ignore = new ArrayList<>(options.allIgnored());
  }

  void run() {
    Set<Object> ancestors = new HashSet<>();
    try {
      Object key = Files.readAttributes(root, BasicFileAttributes.class).fileKey();
      if (key != null) {
        ancestors.add(key);
      }
    } catch (IOException e) {
      // the verifier checked that root is a directory; a race is reported by the listing below
    }
    directory(root, null, ancestors);
  }

  boolean matched(String path) {
    return matched.containsKey(path);
  }

  /** The file on disk when it was found with the right size (so its checksum is worth checking). */
  Optional<Path> goodFile(String path) {
    return bad.contains(path) || ignored(path)
        ? Optional.empty()
        : Optional.ofNullable(matched.get(path));
  }

  /**
   * pg's {@code should_ignore_relpath}: an ignore entry matches the path itself and everything
   * under it ({@code aa/bb} covers {@code aa/bb/cc} but not {@code aa/bbb}).
   */
  boolean ignored(String path) {
    for (String i : ignore) {
      if (path.startsWith(i) && (path.length() == i.length() || path.charAt(i.length()) == '/')) {
        return true;
      }
    }
    return false;
  }

  private void directory(Path dir, String relpath, Set<Object> ancestors) {
    TreeMap<String, Path> children = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        children.put(p.getFileName().toString(), p);
      }
    } catch (IOException e) {
      report(
          Kind.UNREADABLE,
          relpath,
          "could not open directory \""
              + (relpath == null ? dir : relpath)
              + "\": "
              + IoReason.of(e));
      if (relpath != null) {
        ignore.add(relpath);
      }
      return;
    }
    for (Map.Entry<String, Path> c : children.entrySet()) {
      String rel = relpath == null ? c.getKey() : relpath + "/" + c.getKey();
      if (!ignored(rel)) {
        file(c.getValue(), rel, ancestors);
      }
    }
  }

  private void file(Path path, String rel, Set<Object> ancestors) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (IOException e) {
      report(
          Kind.UNREADABLE,
          rel,
          "could not stat file or directory \"" + rel + "\": " + IoReason.of(e));
      ignore.add(rel);
      return;
    }
    if (a.isDirectory()) {
      Object key = a.fileKey();
      if (key != null && ancestors.contains(key)) {
        report(
            Kind.UNREADABLE,
            rel,
            "could not open directory \"" + rel + "\": it is one of its own parent directories");
        ignore.add(rel);
        return;
      }
      Set<Object> inner = new HashSet<>(ancestors);
      if (key != null) {
        inner.add(key);
      }
      directory(path, rel, inner);
      return;
    }
    if (!a.isRegularFile()) {
      report(Kind.NOT_REGULAR_FILE, rel, "\"" + rel + "\" is not a regular file or directory");
      return;
    }
    ManifestEntry e = manifest.files().get(rel);
    if (e == null) {
      report(
          Kind.NOT_IN_MANIFEST, rel, "\"" + rel + "\" is present on disk but not in the manifest");
      return;
    }
    matched.put(rel, path);
    if (e.size() != a.size()) {
      report(
          Kind.SIZE_MISMATCH,
          rel,
          "\""
              + rel
              + "\" has size "
              + a.size()
              + " on disk but size "
              + Long.toUnsignedString(e.size())
              + " in the manifest");
      bad.add(rel);
    }
    if (manifest.version() != 1 && rel.equals(ControlFile.PATH)) {
      ControlFile.check(path, manifest.systemIdentifier().orElse(0), options.emulateMajor())
          .ifPresent(m -> report(Kind.CONTROL_FILE, rel, m));
    }
  }

  private void report(Kind kind, String rel, String message) {
    findings.add(new Finding(kind, Optional.ofNullable(rel), message));
  }
}
