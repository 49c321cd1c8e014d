package io.klio.backup;

import io.klio.api.grpc.v1.FileEntry;
import io.klio.dedup.repo.ChunkId;
import java.io.IOException;
import java.util.List;

/**
 * Where one backup worker sends what it reads: it asks which chunks the repository lacks, puts
 * those, and records each file once all its chunks are put or known. klio-client implements it over
 * one {@code BackupService.Upload} call (a {@code ChunkQuery} per {@link #missing}, an {@code
 * UploadChunk} per {@link #put}, a {@code FileEntry} per {@link #file}); tests use an in-memory
 * store.
 *
 * <p>Threading and lifecycle: a {@link ChunkSinkFactory} makes one sink per worker, and every call
 * on a sink comes from that worker's thread, in order. A sink ends with exactly one of {@link
 * #close()} (the backup read everything) or {@link #abort} (it failed).
 */
public interface ChunkSink {

  /**
   * Which of {@code ids} the repository lacks. The ids are distinct; at most the configured batch
   * size ({@link FileBackup.Builder#batchChunks}).
   *
   * @return the positions (0-based, ascending) in {@code ids} of the chunks to {@link #put}; the
   *     others are stored already, or are being stored by this backup
   */
  int[] missing(List<ChunkId> ids) throws IOException;

  /**
   * Stores a chunk that {@link #missing} answered as lacking. {@code encoded} is handed over: the
   * caller never touches it again, so the sink may keep it without copying.
   *
   * @param codec the codec id of {@code encoded} (0 none, 1 zstd, 2 lz4)
   * @param originalLength the chunk's length before encoding
   */
  void put(ChunkId id, int codec, byte[] encoded, int originalLength) throws IOException;

  /**
   * Records a directory or a regular file of the backup. Every chunk a file names was put through
   * this sink or answered as present before; entries come in no particular order across sinks.
   */
  void file(FileEntry entry) throws IOException;

  /** Ends the stream: returns once everything sent through this sink is accepted and stored. */
  void close() throws IOException;

  /** Cancels the stream because the backup failed with {@code cause}; never throws. */
  void abort(Throwable cause);
}
