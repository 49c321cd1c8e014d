package io.klio.backup;

import io.klio.dedup.repo.ChunkId;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Where one restore worker reads chunks from. Reads are pipelined: the worker asks for chunks ahead
 * with {@link #request} and takes the answers with {@link #next}, one per id, in the order asked.
 * klio-client implements it over one {@code BackupService.ReadChunks} call (a {@code
 * ReadChunksRequest} per request, a {@code ChunkData} per answer); tests use an in-memory store.
 *
 * <p>Threading and lifecycle: a {@link ChunkSourceFactory} makes one source per worker, and every
 * call on a source comes from that worker's thread. The worker keeps at most a bounded amount
 * requested and not yet taken ({@link RestoreWriter.Builder#readAhead}), so a source needs no flow
 * control of its own beyond that. {@link #close} ends it, also after a failure, and cancels what is
 * still outstanding.
 */
public interface ChunkSource extends Closeable {

  /** Asks for these chunks; does not wait for them. */
  void request(List<ChunkId> ids) throws IOException;

  /**
   * The answer to the oldest id asked for and not yet taken, waiting for it.
   *
   * @throws io.klio.api.error.NotFoundException when the repository does not hold it, naming it
   */
  StoredChunk next() throws IOException;
}
