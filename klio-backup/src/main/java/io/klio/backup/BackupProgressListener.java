package io.klio.backup;

/**
 * Receives a backup's progress: after batches of chunks are resolved, at most every 50 ms, and once
 * at the end. Called from worker threads, never two calls at once; must return quickly.
 */
@FunctionalInterface
public interface BackupProgressListener {

  /** A listener that ignores progress. */
  BackupProgressListener NONE = p -> {};

  void progress(BackupProgress progress);
}
