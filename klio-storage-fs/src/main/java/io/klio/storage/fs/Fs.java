package io.klio.storage.fs;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Filesystem helpers: error classification, files on a key's path. (Durable directories, renames
 * and directory fsyncs are {@link io.klio.api.io.DurableFiles}'.)
 */
final class Fs {

  private Fs() {}

  /** True when some path between {@code root} (exclusive) and {@code dir} is a regular file. */
  static boolean isFileOnPath(Path root, Path dir) {
    for (Path p = dir; p != null && !p.equals(root); p = p.getParent()) {
      if (Files.isRegularFile(p)) {
        return true;
      }
    }
    return false;
  }

  /** Turns a filesystem failure into Klio's classification with a message that says what to do. */
  static KlioException classify(IOException e, String action, BlobKey key) {
    if (e instanceof KlioException k) {
      return k;
    }
    if (e instanceof NoSuchFileException && key != null) {
      return new BlobNotFoundException(key, "the filesystem store");
    }
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof AccessDeniedException) {
      return new PermanentException(
          "could not "
              + action
              + ": permission denied on "
              + detail
              + "; check the owner and mode of the storage volume",
          e);
    }
    if (detail.contains("No space left on device")) {
      return new PermanentException(
          "could not " + action + ": the storage volume is full; free space or grow it", e);
    }
    return new PermanentException("could not " + action + ": " + detail, e);
  }
}
