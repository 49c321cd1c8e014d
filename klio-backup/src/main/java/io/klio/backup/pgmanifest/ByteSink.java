package io.klio.backup.pgmanifest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer: one manifest line being written, one JSON token being read. */
final class ByteSink {

  private byte[] buf = new byte[256];
  private int len;

  void put(byte b) {
    if (len == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    buf[len++] = b;
  }

  void put(byte[] bytes) {
    if (len + bytes.length > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + bytes.length));
    }
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
  }

  /** Appends text that is ASCII by construction (field names, numbers, hex). */
  void putAscii(String s) {
    put(s.getBytes(StandardCharsets.US_ASCII));
  }

  int length() {
    return len;
  }

  byte[] array() {
    return buf;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  void reset() {
    len = 0;
  }
}
