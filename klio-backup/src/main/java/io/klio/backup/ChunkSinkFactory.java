package io.klio.backup;

import java.io.IOException;

/**
 * Opens the {@link ChunkSink} of one backup worker. Called from the thread that runs the backup.
 */
@FunctionalInterface
public interface ChunkSinkFactory {

  /** A new sink for worker number {@code worker} (0-based). */
  ChunkSink open(int worker) throws IOException;
}
