package io.klio.api;

/**
 * A PostgreSQL write-ahead log location: an unsigned 64-bit byte position in the WAL stream,
 * written as two hexadecimal halves, {@code X/X} (for example {@code 16/B374D848}).
 *
 * <p>Comparison is unsigned: {@code FFFFFFFF/0} is after {@code 0/1}. {@link #INVALID} ({@code
 * 0/0}) is PostgreSQL's "no position" and is a valid value of this type, not a sentinel for errors.
 */
public record Lsn(long value) implements Comparable<Lsn> {

  /** {@code 0/0}: PostgreSQL's InvalidXLogRecPtr, "no position". */
  public static final Lsn INVALID = new Lsn(0);

  /** The largest LSN, {@code FFFFFFFF/FFFFFFFF}. */
  public static final Lsn MAX = new Lsn(-1L);

  public static Lsn of(long value) {
    return value == 0 ? INVALID : new Lsn(value);
  }

  /**
   * Parses {@code X/X}: one to eight hexadecimal digits on each side of a slash, either case.
   *
   * @throws IllegalArgumentException naming the text when it is not an LSN
   */
  public static Lsn parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("LSN is missing (null); expected the form X/X");
    }
    int slash = text.indexOf('/');
    if (slash < 1 || slash > 8 || slash == text.length() - 1 || text.length() - slash - 1 > 8) {
      throw new IllegalArgumentException(
          "not an LSN: '" + text + "'; expected two hexadecimal numbers of 1 to 8 digits, X/X");
    }
    long hi = parseHex(text, 0, slash);
    long lo = parseHex(text, slash + 1, text.length());
    return of(hi << 32 | lo);
  }

  private static long parseHex(String text, int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = Character.digit(text.charAt(i), 16);
      if (d < 0) {
        throw new IllegalArgumentException(
            "not an LSN: '" + text + "'; '" + text.charAt(i) + "' is not a hexadecimal digit");
      }
      v = v << 4 | d;
    }
    return v;
  }

  /** True unless this is {@code 0/0}. */
  public boolean isValid() {
    return value != 0;
  }

  /**
   * This position moved forward by {@code bytes}.
   *
   * @throws ArithmeticException when the result would pass {@link #MAX}
   * @throws IllegalArgumentException when {@code bytes} is negative
   */
  public Lsn plus(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException(
          "cannot add a negative byte count " + bytes + " to " + this);
    }
    long result = value + bytes;
    if (Long.compareUnsigned(result, value) < 0) {
      throw new ArithmeticException("LSN overflow: " + this + " + " + bytes);
    }
    return of(result);
  }

  /**
   * The number of bytes from {@code earlier} to this position.
   *
   * @throws IllegalArgumentException when {@code earlier} is after this position, or when the
   *     distance does not fit in a signed long
   */
  public long minus(Lsn earlier) {
    if (compareTo(earlier) < 0) {
      throw new IllegalArgumentException(earlier + " is after " + this);
    }
    long d = value - earlier.value;
    if (d < 0) {
      throw new IllegalArgumentException("distance from " + earlier + " to " + this + " too large");
    }
    return d;
  }

  /** The number of the WAL segment that holds the byte at this position. */
  public long segmentNumber(WalSegmentSize size) {
    return value >>> size.log2();
  }

  /** The offset of this position inside its segment. */
  public int segmentOffset(WalSegmentSize size) {
    return (int) (value & (size.bytes() - 1L));
  }

  /** The first position of this position's segment. */
  public Lsn segmentStart(WalSegmentSize size) {
    return of(value & ~(size.bytes() - 1L));
  }

  public boolean isAfter(Lsn other) {
    return compareTo(other) > 0;
  }

  public boolean isBefore(Lsn other) {
    return compareTo(other) < 0;
  }

  public static Lsn max(Lsn a, Lsn b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public static Lsn min(Lsn a, Lsn b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public int compareTo(Lsn other) {
    return Long.compareUnsigned(value, other.value);
  }

  /**
   * PostgreSQL's form: upper-case hexadecimal halves without leading zeros, {@code 16/B374D848}.
   */
  @Override
  public String toString() {
    return Long.toHexString(value >>> 32).toUpperCase(java.util.Locale.ROOT)
        + '/'
        + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
  }
}
