package io.klio.backup;

import io.klio.dedup.repo.ChunkId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunks one worker has read and not yet resolved: where each lies in the worker's buffer,
 * which file it belongs to, and the distinct ids to ask the sink about. Reused from batch to batch;
 * not thread-safe.
 */
final class ChunkBatch {

  final ChunkId[] ids;
  final int[] offsets;
  final int[] lengths;

  /** For each chunk, the index of its id in {@link #distinct}. */
  final int[] distinctIndex;

  final List<ChunkId> distinct;
  private final Map<ChunkId, Integer> seen;
  int size;

  ChunkBatch(int capacity) {
    ids = new ChunkId[capacity];
    offsets = new int[capacity];
    lengths = new int[capacity];
    distinctIndex = new int[capacity];
    distinct = new ArrayList<>(capacity);
    seen = new HashMap<>(capacity * 2);
  }

  boolean isFull() {
    return size == ids.length;
  }

  void add(ChunkId id, int offset, int length) {
    ids[size] = id;
    offsets[size] = offset;
    lengths[size] = length;
    Integer d = seen.putIfAbsent(id, distinct.size());
    if (d == null) {
      distinctIndex[size] = distinct.size();
      distinct.add(id);
    } else {
      distinctIndex[size] = d;
    }
    size++;
  }

  void clear() {
    java.util.Arrays.fill(ids, 0, size, null);
    distinct.clear();
    seen.clear();
    size = 0;
  }
}
