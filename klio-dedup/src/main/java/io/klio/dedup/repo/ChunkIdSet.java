package io.klio.dedup.repo;

import java.util.function.Consumer;

/**
 * A set of chunk ids in flat {@code long} arrays (open addressing, 32 bytes per slot plus a fill
 * bit): millions of ids cost tens of MiB, not the hundreds a {@code HashSet<ChunkId>} would take.
 * Not thread-safe.
 */
public final class ChunkIdSet {

  private static final int WORDS = ChunkId.LENGTH / Long.BYTES;
  private long[] slots;
  private boolean[] used;
  private int size;

  public ChunkIdSet() {
    this(1024);
  }

  public ChunkIdSet(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, (int) (expected / 0.6)) - 1) << 1;
    slots = new long[capacity * WORDS];
    used = new boolean[capacity];
  }

  /** Adds {@code id}; returns {@code false} when it was already present. */
  public boolean add(ChunkId id) {
    return add(id.bytesUnsafe(), 0);
  }

  boolean add(byte[] buffer, int offset) {
    if (size + 1 > used.length * 0.6) {
      grow();
    }
    int slot = find(buffer, offset);
    if (used[slot]) {
      return false;
    }
    used[slot] = true;
    for (int w = 0; w < WORDS; w++) {
      slots[slot * WORDS + w] = word(buffer, offset + w * 8);
    }
    size++;
    return true;
  }

  public boolean contains(ChunkId id) {
    return used[find(id.bytesUnsafe(), 0)];
  }

  public int size() {
    return size;
  }

  /** Calls {@code action} for every id, in no particular order. */
  public void forEach(Consumer<ChunkId> action) {
    byte[] b = new byte[ChunkId.LENGTH];
    for (int s = 0; s < used.length; s++) {
      if (used[s]) {
        unpack(slots, s, b);
        action.accept(ChunkId.of(b));
      }
    }
  }

  private int find(byte[] buffer, int offset) {
    int mask = used.length - 1;
    long w0 = word(buffer, offset);
    int slot = (int) (w0 ^ (w0 >>> 29)) & mask;
    while (used[slot] && !matches(slot, buffer, offset)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private boolean matches(int slot, byte[] buffer, int offset) {
    for (int w = 0; w < WORDS; w++) {
      if (slots[slot * WORDS + w] != word(buffer, offset + w * 8)) {
        return false;
      }
    }
    return true;
  }

  private void grow() {
    long[] oldSlots = slots;
    boolean[] oldUsed = used;
    slots = new long[oldSlots.length * 2];
    used = new boolean[oldUsed.length * 2];
    size = 0;
    byte[] b = new byte[ChunkId.LENGTH];
    for (int s = 0; s < oldUsed.length; s++) {
      if (oldUsed[s]) {
        unpack(oldSlots, s, b);
        add(b, 0);
      }
    }
  }

  private static void unpack(long[] from, int slot, byte[] into) {
    for (int w = 0; w < WORDS; w++) {
      long v = from[slot * WORDS + w];
      for (int i = 0; i < 8; i++) {
        into[w * 8 + i] = (byte) (v >>> (56 - 8 * i));
      }
    }
  }

  private static long word(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }
}
