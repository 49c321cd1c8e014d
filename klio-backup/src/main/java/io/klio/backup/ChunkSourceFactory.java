package io.klio.backup;

import java.io.IOException;

/** Opens the {@link ChunkSource} of one restore worker. Called from the thread that runs it. */
@FunctionalInterface
public interface ChunkSourceFactory {

  /** A new source for worker number {@code worker} (0-based). */
  ChunkSource open(int worker) throws IOException;
}
