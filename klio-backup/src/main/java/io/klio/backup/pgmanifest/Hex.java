package io.klio.backup.pgmanifest;

/** Lower-case hexadecimal, as PostgreSQL's {@code hex_encode} writes and its manifest reads. */
final class Hex {

  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  static String encode(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = DIGITS[bytes[i] & 0xF];
    }
    return new String(out);
  }

  /** Appends the hexadecimal form of {@code bytes} as ASCII bytes. */
  static void encodeTo(byte[] bytes, ByteSink out) {
    for (byte b : bytes) {
      out.put((byte) DIGITS[(b >> 4) & 0xF]);
      out.put((byte) DIGITS[b & 0xF]);
    }
  }

  /**
   * Decodes two digits (either case) per byte, as PostgreSQL's {@code hexdecode_string}; null when
   * the length is odd or a character is not a hexadecimal digit.
   */
  static byte[] decode(byte[] text) {
    if (text.length % 2 != 0) {
      return null;
    }
    byte[] out = new byte[text.length / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = digit(text[2 * i]);
      int lo = digit(text[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  static int digit(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
