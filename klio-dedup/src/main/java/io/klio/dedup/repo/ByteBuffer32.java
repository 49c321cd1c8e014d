package io.klio.dedup.repo;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;

/** A growable byte array with big-endian writes; the bytes of a pack or an index being built. */
final class ByteBuffer32 {

  private byte[] buf;
  private int size;

  ByteBuffer32(int initial) {
    buf = new byte[Math.max(64, initial)];
  }

  int size() {
    return size;
  }

  byte[] array() {
    return buf;
  }

  void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  void write(byte[] b) {
    write(b, 0, b.length);
  }

  void writeInt(int v) {
    ensure(4);
    Bytes.putInt(buf, size, v);
    size += 4;
  }

  void writeShort(int v) {
    ensure(2);
    buf[size] = (byte) (v >>> 8);
    buf[size + 1] = (byte) v;
    size += 2;
  }

  InputStream stream() {
    return new ByteArrayInputStream(buf, 0, size);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      long want = Math.max((long) buf.length * 2, (long) size + more);
      if (want > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("buffer would exceed 2 GiB");
      }
      buf = Arrays.copyOf(buf, (int) want);
    }
  }
}
