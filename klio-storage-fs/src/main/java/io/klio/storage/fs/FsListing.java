package io.klio.storage.fs;

import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobPage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One page of a listing: a depth-first walk of the directory tree in key order. A directory {@code
 * d} stands for the keys {@code d/…}, so it sorts as {@code "d/"}; subtrees that cannot hold a key
 * after {@code startAfter} with the prefix are not read at all.
 */
final class FsListing {

  private final Path root;
  private final String prefix;
  private final String startAfter;
  private final int maxKeys;
  private final List<BlobInfo> found = new ArrayList<>();

  FsListing(Path root, String prefix, String startAfter, int maxKeys) {
    this.root = root;
    this.prefix = prefix;
    this.startAfter = startAfter;
    this.maxKeys = maxKeys;
  }

  BlobPage run() throws IOException {
    walk(root, "");
    if (found.size() > maxKeys) {
      List<BlobInfo> page = found.subList(0, maxKeys);
      return new BlobPage(page, Optional.of(page.get(maxKeys - 1).key()));
    }
    return new BlobPage(found, Optional.empty());
  }

  /** Returns false once the page is full. */
  private boolean walk(Path dir, String dirKey) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.contains("~")) {
          continue; // temporary files of writes in progress
        }
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue; // deleted while we looked
        }
        if (a.isDirectory()) {
          entries.add(new Entry(p, dirKey + name + "/", true, a));
        } else if (a.isRegularFile()) {
          entries.add(new Entry(p, dirKey + name, false, a));
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return true;
    }
    entries.sort((x, y) -> x.key.compareTo(y.key));
    for (Entry e : entries) {
      if (e.dir) {
        if (!couldMatchPrefix(e.key) || endsBeforeStart(e.key)) {
          continue;
        }
        if (!walk(e.path, e.key)) {
          return false;
        }
      } else if (e.key.startsWith(prefix) && e.key.compareTo(startAfter) > 0) {
        found.add(
            new BlobInfo(
                BlobKey.of(e.key), e.attrs.size(), e.attrs.lastModifiedTime().toInstant()));
        if (found.size() > maxKeys) {
          return false;
        }
      }
    }
    return true;
  }

  /** A directory's keys all start with {@code dirKey}; can any of them start with the prefix? */
  private boolean couldMatchPrefix(String dirKey) {
    return dirKey.startsWith(prefix) || prefix.startsWith(dirKey);
  }

  /** True when every key under {@code dirKey} sorts at or before {@code startAfter}. */
  private boolean endsBeforeStart(String dirKey) {
    return startAfter.compareTo(dirKey) > 0 && !startAfter.startsWith(dirKey);
  }

  private record Entry(Path path, String key, boolean dir, BasicFileAttributes attrs) {}
}
