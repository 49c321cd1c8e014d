package io.klio.backup;

import io.klio.api.ChunkHasher;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import io.klio.dedup.chunk.Chunker;
import io.klio.dedup.chunk.Chunkers;
import io.klio.dedup.repo.ChunkHashers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the files of a data directory ({@link PgDataWalker}) with several workers and sends them,
 * split into content-defined chunks, to {@link ChunkSink}s: for each batch of chunks it asks which
 * ones the repository lacks, encodes and puts only those, and records each file's {@code FileEntry}
 * (path, mode, size and CRC-32C of the bytes read, chunk ids and lengths) once all its chunks are
 * stored. {@code global/pg_control} is read after every other file is recorded.
 *
 * <p>Memory is bounded and independent of the number and the size of the files: per worker one
 * buffer of {@link Builder#batchBytes} plus the largest chunk, and one batch; entries are never
 * kept once recorded. Files that grow, shrink or vanish while they are read are normal in an online
 * backup: the backup records what it read (at most the size the walk found) and leaves out a file
 * that vanished.
 *
 * <p>Immutable and thread-safe; each {@link #run} is one backup, on the caller's thread plus {@link
 * Builder#workers} worker threads that end before it returns.
 */
public final class FileBackup {

  /** The default most chunk data a worker reads before it asks its sink: 8 MiB. */
  public static final int DEFAULT_BATCH_BYTES = 8 << 20;

  /** The default most chunk ids in one question to a sink: 256. */
  public static final int DEFAULT_BATCH_CHUNKS = 256;

  private final Chunker chunker;
  private final ChunkHasher hasher;
  private final Codec codec;
  private final ChunkSinkFactory sinks;
  private final int workers;
  private final int batchBytes;
  private final int batchChunks;
  private final BackupProgressListener listener;

  private FileBackup(Builder b) {
    this.chunker = Objects.requireNonNull(b.chunker, "chunker");
    this.hasher = Objects.requireNonNull(b.hasher, "hasher");
    this.codec = Objects.requireNonNull(b.codec, "codec");
    this.sinks = Objects.requireNonNull(b.sinks, "sinks");
    this.workers = b.workers;
    this.batchBytes = b.batchBytes;
    this.batchChunks = b.batchChunks;
    this.listener = b.listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Backs up every directory and file {@code walker} finds: first a quick walk that only sums the
   * sizes (the total the progress reports), then the backup.
   *
   * @throws IOException the first failure of any worker or sink (the others are stopped and their
   *     sinks aborted); a file that cannot be read is named in the message
   */
  public BackupResult run(PgDataWalker walker) throws IOException, InterruptedException {
    long start = System.nanoTime();
    long bytesTotal = 0;
    long filesTotal = 0;
    try (PgDataWalker.Walk w = walker.walk()) {
      for (Optional<DataFile> f = w.next(); f.isPresent(); f = w.next()) {
        if (!f.get().isDirectory()) {
          bytesTotal += f.get().size();
          filesTotal++;
        }
      }
    }
    BackupCounters counters = new BackupCounters(bytesTotal, filesTotal, listener, start);
    WorkQueue<DataFile> run = new WorkQueue<>(workers);
    List<Thread> threads = startWorkers(run, counters);
    try {
      try (PgDataWalker.Walk w = walker.walk()) {
        for (Optional<DataFile> f = w.next(); f.isPresent() && !run.failed(); f = w.next()) {
          if (f.get().isControlFile()) {
            run.awaitIdle();
          }
          run.put(f.get());
        }
      }
      run.end(workers);
      run.join(threads);
    } catch (IOException | RuntimeException | InterruptedException e) {
      run.fail(e);
      run.stop(threads);
    }
    if (run.failed()) {
      throw run.failureAsIoException();
    }
    counters.notifyFinal();
    return counters.result();
  }

  private List<Thread> startWorkers(WorkQueue<DataFile> run, BackupCounters counters)
      throws IOException {
    List<ChunkSink> opened = new ArrayList<>();
    try {
      for (int i = 0; i < workers; i++) {
        opened.add(Objects.requireNonNull(sinks.open(i), "the sink factory returned null"));
      }
    } catch (IOException | RuntimeException e) {
      opened.forEach(s -> s.abort(e));
      throw e;
    }
    List<BackupWorker> w = new ArrayList<>();
    for (ChunkSink sink : opened) {
      w.add(new BackupWorker(run, sink, chunker, hasher, codec, counters, batchBytes, batchChunks));
    }
    return WorkQueue.start(w, "klio-backup-reader");
  }

  /** Builds a {@link FileBackup}; chunker, hasher, codec and sinks are required. */
  public static final class Builder {
    private Chunker chunker;
    private ChunkHasher hasher;
    private Codec codec;
    private ChunkSinkFactory sinks;
    private int workers = Runtime.getRuntime().availableProcessors();
    private int batchBytes = DEFAULT_BATCH_BYTES;
    private int batchChunks = DEFAULT_BATCH_CHUNKS;
    private BackupProgressListener listener = BackupProgressListener.NONE;

    private Builder() {}

    /**
     * The repository's way of storing chunks, as the server describes it ({@code BackupBegun}): the
     * chunker's description, the chunk id algorithm and its key, the codec.
     *
     * @throws PermanentException when the chunker or codec is unknown or invalid, naming it
     * @throws IllegalArgumentException when the chunk id algorithm or its key is
     */
    public Builder repository(
        String chunkerSpec, String chunkIdAlgorithm, byte[] chunkIdKey, String codecSpec)
        throws PermanentException {
      return chunker(Chunkers.parse(chunkerSpec))
          .hasher(ChunkHashers.of(chunkIdAlgorithm, chunkIdKey))
          .codec(Codecs.byName(codecSpec));
    }

    public Builder chunker(Chunker chunker) {
      this.chunker = chunker;
      return this;
    }

    public Builder hasher(ChunkHasher hasher) {
      this.hasher = hasher;
      return this;
    }

    /** The codec chunks are encoded with (a chunk it does not shrink is sent raw). */
    public Builder codec(Codec codec) {
      this.codec = codec;
      return this;
    }

    public Builder sinks(ChunkSinkFactory sinks) {
      this.sinks = sinks;
      return this;
    }

    /** Reader threads, each with its own sink (default: the available processors). */
    public Builder workers(int workers) {
      this.workers = WorkQueue.checkWorkers(workers);
      return this;
    }

    /** The most chunk data a worker holds before it asks the sink (default 8 MiB). */
    public Builder batchBytes(int bytes) {
      if (bytes < (64 << 10) || bytes > (256 << 20)) {
        throw new IllegalArgumentException("batch bytes must be 64 KiB to 256 MiB, not " + bytes);
      }
      this.batchBytes = bytes;
      return this;
    }

    /** The most chunk ids in one question to the sink (default 256). */
    public Builder batchChunks(int chunks) {
      if (chunks < 1 || chunks > 65_536) {
        throw new IllegalArgumentException("batch chunks must be 1 to 65536, not " + chunks);
      }
      this.batchChunks = chunks;
      return this;
    }

    public Builder listener(BackupProgressListener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    public FileBackup build() {
      return new FileBackup(this);
    }
  }
}
