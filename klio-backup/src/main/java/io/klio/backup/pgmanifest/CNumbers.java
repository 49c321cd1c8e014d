package io.klio.backup.pgmanifest;

/**
 * The C library conversions PostgreSQL's manifest parser applies to field values, with their
 * quirks, so that exactly the values it accepts are accepted: {@code strtoul} and {@code strtoi64}
 * (leading white space, an optional sign, and the empty string accepted as 0 because the parser
 * only checks that the end pointer is at a NUL), and {@code sscanf("%X/%X")} for LSNs.
 */
final class CNumbers {

  private CNumbers() {}

  private static boolean isSpace(int c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  /**
   * {@code strtoul(s, &ep, 10)} followed by PostgreSQL's {@code if (*ep) fail}: null when the check
   * fails, otherwise the unsigned 64-bit result (saturated at 2^64-1 on overflow, negated modulo
   * 2^64 after a minus sign, as glibc does).
   */
  static Long strtoul(byte[] s) {
    Decimal d = decimal(s);
    if (d == null) {
      return null;
    }
    if (d.overflow) {
      return -1L;
    }
    return d.negative ? -d.magnitude : d.magnitude;
  }

  /**
   * {@code strtoi64(s, &ep, 10)} with the same check: null when it fails, otherwise the result
   * (saturated at the signed 64-bit limits).
   */
  static Long strtoi64(byte[] s) {
    Decimal d = decimal(s);
    if (d == null) {
      return null;
    }
    long limit = d.negative ? Long.MIN_VALUE : Long.MAX_VALUE; // MIN_VALUE is 2^63 unsigned
    if (d.overflow || Long.compareUnsigned(d.magnitude, limit) > 0) {
      return limit;
    }
    return d.negative ? -d.magnitude : d.magnitude;
  }

  /** An optional sign and decimal digits, the magnitude unsigned; overflow past 2^64-1 flagged. */
  private record Decimal(boolean negative, long magnitude, boolean overflow) {}

  /** Null when the text is not all white space, sign and digits (the empty text is 0). */
  private static Decimal decimal(byte[] s) {
    int p = skipSpaceAndSign(s, 0);
    boolean negative = p > 0 && s[p - 1] == '-';
    int digits = p;
    long v = 0;
    boolean overflow = false;
    while (p < s.length && s[p] >= '0' && s[p] <= '9') {
      int d = s[p] - '0';
      if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
        overflow = true;
      } else {
        v = v * 10 + d;
      }
      p++;
    }
    if (p == digits) {
      // no conversion: the end pointer is the start of the string, so only "" passes the check
      return s.length == 0 ? new Decimal(false, 0, false) : null;
    }
    return p == s.length ? new Decimal(negative, v, overflow) : null;
  }

  /**
   * {@code sscanf(s, "%X/%X", &hi, &lo) == 2}: null when it fails, otherwise the LSN. Each {@code
   * %X} skips white space, takes an optional sign and {@code 0x}, then hex digits; text after the
   * second number is ignored.
   */
  static Long scanLsn(byte[] s) {
    long[] hi = new long[1];
    int p = scanHex(s, 0, hi);
    if (p < 0 || p >= s.length || s[p] != '/') {
      return null;
    }
    long[] lo = new long[1];
    if (scanHex(s, p + 1, lo) < 0) {
      return null;
    }
    return (hi[0] & 0xFFFFFFFFL) << 32 | (lo[0] & 0xFFFFFFFFL);
  }

  private static int scanHex(byte[] s, int from, long[] out) {
    int p = skipSpaceAndSign(s, from);
    boolean negative = p > from && s[p - 1] == '-';
    if (p + 2 < s.length
        && s[p] == '0'
        && (s[p + 1] == 'x' || s[p + 1] == 'X')
        && Hex.digit(s[p + 2]) >= 0) {
      p += 2;
    }
    int digits = p;
    long v = 0;
    boolean overflow = false;
    while (p < s.length && Hex.digit(s[p]) >= 0) {
      if ((v >>> 60) != 0) {
        overflow = true;
      } else {
        v = v << 4 | Hex.digit(s[p]);
      }
      p++;
    }
    if (p == digits) {
      return -1;
    }
    v = overflow ? -1L : (negative ? -v : v);
    out[0] = v;
    return p;
  }

  /** The position after white space and an optional sign (a {@code -} there means negative). */
  private static int skipSpaceAndSign(byte[] s, int p) {
    while (p < s.length && isSpace(s[p])) {
      p++;
    }
    if (p < s.length && (s[p] == '+' || s[p] == '-')) {
      p++;
    }
    return p;
  }
}
