package io.klio.dedup.repo;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A growable byte buffer with big-endian writes; the bytes of a pack or an index being built.
 *
 * <p>It starts with one array of the size asked for and grows by appending arrays of 1 MiB, never
 * by copying into one twice as large: a 32 MiB pack built from a 1 MiB start holds 32-33 MiB, not a
 * 64 MiB array next to the 32 MiB one it was copied from. {@link #array()} is for buffers sized
 * right at the start (an index, a pack's trailer): it returns the one array, or joins the arrays
 * into one when the buffer grew.
 */
final class ByteBuffer32 {

  private static final int BLOCK = 1 << 20;

  /** Filled arrays, in order; every one is full. */
  private final List<byte[]> full = new ArrayList<>();

  private byte[] cur;
  private int pos;
  private int size;

  ByteBuffer32(int initial) {
    cur = new byte[Math.max(64, initial)];
  }

  int size() {
    return size;
  }

  /** The bytes written so far start at offset 0 of the returned array ({@link #size()} of them). */
  byte[] array() {
    if (full.isEmpty()) {
      return cur;
    }
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] b : full) {
      System.arraycopy(b, 0, all, at, b.length);
      at += b.length;
    }
    System.arraycopy(cur, 0, all, at, pos);
    full.clear();
    cur = all;
    pos = size;
    return all;
  }

  void write(byte[] b, int off, int len) {
    if ((long) size + len > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("buffer would exceed 2 GiB");
    }
    while (len > 0) {
      if (pos == cur.length) {
        full.add(cur);
        cur = new byte[BLOCK];
        pos = 0;
      }
      int n = Math.min(len, cur.length - pos);
      System.arraycopy(b, off, cur, pos, n);
      pos += n;
      off += n;
      len -= n;
      size += n;
    }
  }

  void write(byte[] b) {
    write(b, 0, b.length);
  }

  void writeInt(int v) {
    if (cur.length - pos >= 4) {
      Bytes.putInt(cur, pos, v);
      pos += 4;
      size += 4;
    } else {
      byte[] b = new byte[4];
      Bytes.putInt(b, 0, v);
      write(b);
    }
  }

  void writeShort(int v) {
    write(new byte[] {(byte) (v >>> 8), (byte) v});
  }

  InputStream stream() {
    List<InputStream> parts = new ArrayList<>(full.size() + 1);
    for (byte[] b : full) {
      parts.add(new ByteArrayInputStream(b));
    }
    parts.add(new ByteArrayInputStream(cur, 0, pos));
    return parts.size() == 1
        ? parts.get(0)
        : new SequenceInputStream(Collections.enumeration(parts));
  }
}
