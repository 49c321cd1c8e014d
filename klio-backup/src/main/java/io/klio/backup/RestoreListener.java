package io.klio.backup;

/**
 * Hears what a restore writes: each file once it is written, checked and synced (so that the caller
 * can write PostgreSQL's {@code backup_manifest} from the bytes on disk), and progress at most
 * every 50 ms. Called from worker threads, but never two calls at once; must return quickly.
 */
public interface RestoreListener {

  /** A listener that ignores everything. */
  RestoreListener NONE = new RestoreListener() {};

  /** A regular file was written ({@code backup_label} and {@code tablespace_map} too). */
  default void fileWritten(WrittenFile file) {}

  default void progress(RestoreProgress progress) {}
}
