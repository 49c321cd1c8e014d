package io.klio.dedup.repo;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Stores streams (files) through a {@link ChunkWriter}: the calling thread splits the stream into
 * chunks; a pool of threads hashes, compresses, seals and stores them. Memory is bounded by {@code
 * 4 × threads} chunks in flight, whatever the stream's size. One ingester serves one caller thread
 * at a time; close it to stop its threads.
 */
public final class ChunkingIngester implements AutoCloseable {

  private final ChunkRepository repo;
  private final ChunkWriter writer;
  private final ExecutorService pool;
  private final int window;

  public ChunkingIngester(ChunkRepository repo, ChunkWriter writer, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be 1 or more, not " + threads);
    }
    this.repo = repo;
    this.writer = writer;
    this.window = 4 * threads;
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "klio-ingest");
              t.setDaemon(true);
              return t;
            });
  }

  /** Reads {@code in} to its end; the ids of its chunks in order (its chunk list). */
  public List<ChunkId> ingest(InputStream in) throws IOException {
    List<ChunkId> ids = new ArrayList<>();
    Deque<Future<ChunkId>> inFlight = new ArrayDeque<>();
    try {
      repo.chunker()
          .split(
              in,
              (b, off, len) -> {
                byte[] copy = Arrays.copyOfRange(b, off, off + len);
                inFlight.add(pool.submit(() -> writer.put(copy, 0, copy.length)));
                if (inFlight.size() >= window) {
                  ids.add(await(inFlight.poll()));
                }
              });
      while (!inFlight.isEmpty()) {
        ids.add(await(inFlight.poll()));
      }
      return ids;
    } finally {
      inFlight.forEach(f -> f.cancel(false));
    }
  }

  private static ChunkId await(Future<ChunkId> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while storing chunks");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getCause());
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
