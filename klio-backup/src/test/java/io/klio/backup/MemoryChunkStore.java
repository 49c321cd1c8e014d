package io.klio.backup;

import io.klio.api.error.NotFoundException;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.dedup.repo.ChunkId;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A chunk repository in memory, for tests: sinks that store what a backup sends, sources that read
 * it back. Records the entries of the last backup; counts what was put.
 */
final class MemoryChunkStore {

  record Stored(int codec, byte[] data, int length) {}

  final Map<ChunkId, Stored> chunks = new ConcurrentHashMap<>();
  final List<FileEntry> entries = Collections.synchronizedList(new ArrayList<>());
  final AtomicLong puts = new AtomicLong();
  final AtomicLong putBytes = new AtomicLong();
  final AtomicLong queries = new AtomicLong();
  final AtomicLong closed = new AtomicLong();
  final AtomicLong aborted = new AtomicLong();

  /** Starts a new backup: forgets the entries and counts, keeps the chunks. */
  void newBackup() {
    entries.clear();
    puts.set(0);
    putBytes.set(0);
    queries.set(0);
  }

  ChunkSinkFactory sinks() {
    return worker -> sink();
  }

  ChunkSourceFactory sources() {
    return worker -> source();
  }

  ChunkSink sink() {
    return new ChunkSink() {
      @Override
      public int[] missing(List<ChunkId> ids) {
        queries.incrementAndGet();
        return java.util.stream.IntStream.range(0, ids.size())
            .filter(i -> !chunks.containsKey(ids.get(i)))
            .toArray();
      }

      @Override
      public void put(ChunkId id, int codec, byte[] encoded, int originalLength) {
        puts.incrementAndGet();
        putBytes.addAndGet(originalLength);
        chunks.put(id, new Stored(codec, encoded, originalLength));
      }

      @Override
      public void file(FileEntry entry) {
        entries.add(entry);
      }

      @Override
      public void close() {
        closed.incrementAndGet();
      }

      @Override
      public void abort(Throwable cause) {
        aborted.incrementAndGet();
      }
    };
  }

  ChunkSource source() {
    return new ChunkSource() {
      private final ArrayDeque<ChunkId> asked = new ArrayDeque<>();

      @Override
      public void request(List<ChunkId> ids) {
        asked.addAll(ids);
      }

      @Override
      public StoredChunk next() throws IOException {
        ChunkId id = asked.poll();
        if (id == null) {
          throw new IllegalStateException("next() without a request");
        }
        Stored s = chunks.get(id);
        if (s == null) {
          throw new NotFoundException("no chunk " + id);
        }
        return new StoredChunk(id, s.codec(), s.data().clone(), s.length(), "memory:" + id);
      }

      @Override
      public void close() {}
    };
  }
}
