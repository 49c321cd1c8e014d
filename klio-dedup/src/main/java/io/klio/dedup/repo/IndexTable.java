package io.klio.dedup.repo;

import io.klio.api.ChunkSealer;
import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Chunk id → pack, offset, length, sorted by id in flat arrays (48 bytes per chunk, no object per
 * chunk). The form of an index object (docs/format.md, "Repository index") and of the whole
 * repository index in memory, which is the merge of all index objects. An id may appear more than
 * once (two writers stored the same chunk, or a repack copied it); every location is valid.
 * Immutable once built.
 */
final class IndexTable {

  static final byte[] MAGIC = "KLIOINDX".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int HEADER = 20;
  static final int ENTRY = 48;

  final String[] packs;
  final byte[] ids;
  final int[] pack;
  final int[] offset;
  final int[] length;
  final int[] raw;
  final int size;

  private IndexTable(
      String[] packs, byte[] ids, int[] pack, int[] offset, int[] length, int[] raw, int size) {
    this.packs = packs;
    this.ids = ids;
    this.pack = pack;
    this.offset = offset;
    this.length = length;
    this.raw = raw;
    this.size = size;
  }

  /** The sorted table of one pack's entries. */
  static IndexTable ofPack(String packHex, PackFormat.PackIndex p) {
    Integer[] order = new Integer[p.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) ->
            Arrays.compareUnsigned(
                p.ids,
                a * ChunkId.LENGTH,
                (a + 1) * ChunkId.LENGTH,
                p.ids,
                b * ChunkId.LENGTH,
                (b + 1) * ChunkId.LENGTH));
    int n = order.length;
    byte[] ids = new byte[n * ChunkId.LENGTH];
    int[] offs = new int[n];
    int[] lens = new int[n];
    int[] raws = new int[n];
    for (int i = 0; i < n; i++) {
      int j = order[i];
      System.arraycopy(p.ids, j * ChunkId.LENGTH, ids, i * ChunkId.LENGTH, ChunkId.LENGTH);
      offs[i] = p.offsets[j];
      lens[i] = p.lengths[j];
      raws[i] = p.raws[j];
    }
    return new IndexTable(new String[] {packHex}, ids, new int[n], offs, lens, raws, n);
  }

  /**
   * The k-way merge of sorted tables; duplicates are kept. The result's pack table holds only the
   * packs its entries use.
   */
  static IndexTable merge(List<IndexTable> parts) {
    Map<String, Integer> ordinals = new HashMap<>();
    List<String> packList = new ArrayList<>();
    int[][] remap = new int[parts.size()][];
    long total = 0;
    for (int t = 0; t < parts.size(); t++) {
      IndexTable part = parts.get(t);
      remap[t] = new int[part.packs.length];
      Arrays.fill(remap[t], -1); // packs get an ordinal when an entry uses them
      total += part.size;
    }
    if (total > Integer.MAX_VALUE / ChunkId.LENGTH) {
      throw new IllegalStateException("more than 67 million chunks in one index is not supported");
    }
    int n = (int) total;
    byte[] ids = new byte[n * ChunkId.LENGTH];
    int[] pk = new int[n];
    int[] offs = new int[n];
    int[] lens = new int[n];
    int[] raws = new int[n];
    int[] pos = new int[parts.size()];
    PriorityQueue<Integer> heap =
        new PriorityQueue<>(
            Math.max(1, parts.size()),
            (a, b) -> {
              IndexTable x = parts.get(a);
              IndexTable y = parts.get(b);
              int c = compare(x.ids, pos[a], y.ids, pos[b]);
              return c != 0 ? c : Integer.compare(a, b);
            });
    for (int t = 0; t < parts.size(); t++) {
      if (parts.get(t).size > 0) {
        heap.add(t);
      }
    }
    int out = 0;
    while (!heap.isEmpty()) {
      int t = heap.poll();
      IndexTable part = parts.get(t);
      int i = pos[t];
      System.arraycopy(part.ids, i * ChunkId.LENGTH, ids, out * ChunkId.LENGTH, ChunkId.LENGTH);
      int ordinal = remap[t][part.pack[i]];
      if (ordinal < 0) {
        String hex = part.packs[part.pack[i]];
        Integer known = ordinals.get(hex);
        if (known == null) {
          packList.add(hex);
          known = packList.size() - 1;
          ordinals.put(hex, known);
        }
        ordinal = remap[t][part.pack[i]] = known;
      }
      pk[out] = ordinal;
      offs[out] = part.offset[i];
      lens[out] = part.length[i];
      raws[out] = part.raw[i];
      out++;
      pos[t]++;
      if (pos[t] < part.size) {
        heap.add(t);
      }
    }
    return new IndexTable(packList.toArray(new String[0]), ids, pk, offs, lens, raws, n);
  }

  /** This table without the entries (and pack table rows) of {@code dropped} packs. */
  IndexTable without(Set<String> dropped) {
    int keep = 0;
    for (int i = 0; i < size; i++) {
      if (!dropped.contains(packs[pack[i]])) {
        keep++;
      }
    }
    byte[] nids = new byte[keep * ChunkId.LENGTH];
    int[] npk = new int[keep];
    int[] noff = new int[keep];
    int[] nlen = new int[keep];
    int[] nraw = new int[keep];
    int o = 0;
    for (int i = 0; i < size; i++) {
      if (!dropped.contains(packs[pack[i]])) {
        System.arraycopy(ids, i * ChunkId.LENGTH, nids, o * ChunkId.LENGTH, ChunkId.LENGTH);
        npk[o] = pack[i];
        noff[o] = offset[i];
        nlen[o] = length[i];
        nraw[o] = raw[i];
        o++;
      }
    }
    return merge(List.of(new IndexTable(packs, nids, npk, noff, nlen, nraw, keep)));
  }

  /** Entries {@code [from, to)}. */
  IndexTable slice(int from, int to) {
    IndexTable raw =
        new IndexTable(
            packs,
            Arrays.copyOfRange(ids, from * ChunkId.LENGTH, to * ChunkId.LENGTH),
            Arrays.copyOfRange(pack, from, to),
            Arrays.copyOfRange(offset, from, to),
            Arrays.copyOfRange(length, from, to),
            Arrays.copyOfRange(this.raw, from, to),
            to - from);
    return merge(List.of(raw));
  }

  private static int compare(byte[] a, int i, byte[] b, int j) {
    return Arrays.compareUnsigned(
        a,
        i * ChunkId.LENGTH,
        (i + 1) * ChunkId.LENGTH,
        b,
        j * ChunkId.LENGTH,
        (j + 1) * ChunkId.LENGTH);
  }

  /** The first position of {@code id}, or -1. */
  int first(ChunkId id) {
    byte[] key = id.bytesUnsafe();
    int lo = 0;
    int hi = size - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c =
          Arrays.compareUnsigned(
              ids, mid * ChunkId.LENGTH, (mid + 1) * ChunkId.LENGTH, key, 0, ChunkId.LENGTH);
      if (c < 0) {
        lo = mid + 1;
      } else {
        if (c == 0) {
          found = mid;
        }
        hi = mid - 1;
      }
    }
    return found;
  }

  boolean idEquals(int i, ChunkId id) {
    return i < size
        && Arrays.equals(
            ids, i * ChunkId.LENGTH, (i + 1) * ChunkId.LENGTH, id.bytesUnsafe(), 0, ChunkId.LENGTH);
  }

  ChunkId id(int i) {
    return ChunkId.read(ids, i * ChunkId.LENGTH);
  }

  byte[] serialize(BlobKey key, ChunkSealer sealer) throws IOException {
    ByteBuffer32 b = new ByteBuffer32(HEADER + packs.length * 16 + size * ENTRY + 4);
    b.write(MAGIC);
    b.writeShort(VERSION);
    b.writeShort(0);
    b.writeInt(packs.length);
    b.writeInt(size);
    for (String p : packs) {
      b.write(PackFormat.HEX.parseHex(p));
    }
    for (int i = 0; i < size; i++) {
      b.write(ids, i * ChunkId.LENGTH, ChunkId.LENGTH);
      b.writeInt(pack[i]);
      b.writeInt(offset[i]);
      b.writeInt(length[i]);
      b.writeInt(raw[i]);
    }
    b.writeInt(Bytes.crc32c(b.array(), 0, b.size()));
    return sealer.seal(b.array(), 0, b.size(), aad(key));
  }

  static IndexTable parse(BlobKey key, byte[] sealed, ChunkSealer sealer) throws IOException {
    byte[] b;
    try {
      b = sealer.open(sealed, 0, sealed.length, aad(key));
    } catch (PermanentException e) {
      throw new PermanentException(key + ": " + e.getMessage(), e);
    }
    if (b.length < HEADER + 4 || !Arrays.equals(b, 0, 8, MAGIC, 0, 8)) {
      throw new PermanentException(key + ": not a Klio index object (bad magic)");
    }
    int version = Bytes.getShort(b, 8);
    if (version != VERSION) {
      throw new PermanentException(
          key + ": index format version " + version + " is not supported (this Klio reads 1)");
    }
    if (Bytes.getInt(b, b.length - 4) != Bytes.crc32c(b, 0, b.length - 4)) {
      throw new PermanentException(key + ": index object checksum mismatch");
    }
    int np = Bytes.getInt(b, 12);
    int n = Bytes.getInt(b, 16);
    if (np < 0 || n < 0 || HEADER + (long) np * 16 + (long) n * ENTRY + 4 != b.length) {
      throw new PermanentException(key + ": index object sizes do not match its length");
    }
    String[] packs = new String[np];
    for (int p = 0; p < np; p++) {
      packs[p] = PackFormat.HEX.formatHex(b, HEADER + p * 16, HEADER + p * 16 + 16);
    }
    byte[] ids = new byte[n * ChunkId.LENGTH];
    int[] pk = new int[n];
    int[] offs = new int[n];
    int[] lens = new int[n];
    int[] raws = new int[n];
    int base = HEADER + np * 16;
    for (int i = 0; i < n; i++) {
      int p = base + i * ENTRY;
      System.arraycopy(b, p, ids, i * ChunkId.LENGTH, ChunkId.LENGTH);
      pk[i] = Bytes.getInt(b, p + 32);
      offs[i] = Bytes.getInt(b, p + 36);
      lens[i] = Bytes.getInt(b, p + 40);
      raws[i] = Bytes.getInt(b, p + 44);
      if (pk[i] < 0 || pk[i] >= np) {
        throw new PermanentException(key + ": index entry " + i + " names pack " + pk[i]);
      }
      if (i > 0 && compare(ids, i - 1, ids, i) > 0) {
        throw new PermanentException(key + ": index entries are not sorted at entry " + i);
      }
    }
    return new IndexTable(packs, ids, pk, offs, lens, raws, n);
  }

  private static byte[] aad(BlobKey key) {
    return ("klio-index:" + key.name()).getBytes(StandardCharsets.UTF_8);
  }
}
