package io.klio.api;

/**
 * A PostgreSQL timeline: an unsigned 32-bit number, 1 or more. Written as eight upper-case
 * hexadecimal digits in WAL file names and as a decimal number in SQL and replication commands.
 */
public record TimelineId(long value) implements Comparable<TimelineId> {

  /** The timeline of a freshly initialized cluster. */
  public static final TimelineId FIRST = new TimelineId(1);

  public TimelineId {
    if (value < 1 || value > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(
          "timeline " + value + " is out of range; a timeline is 1 to 4294967295");
    }
  }

  public static TimelineId of(long value) {
    return new TimelineId(value);
  }

  /** Parses a decimal timeline, as in {@code TIMELINE 3} or {@code SELECT timeline_id}. */
  public static TimelineId parse(String decimal) {
    try {
      return new TimelineId(Long.parseLong(decimal.trim()));
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException("not a timeline: '" + decimal + "'", e);
    }
  }

  /** Parses the eight hexadecimal digits used in WAL file names. */
  public static TimelineId parseHex(String hex) {
    if (hex == null || hex.length() != 8 || !WalFileName.isHex(hex)) {
      throw new IllegalArgumentException(
          "not a timeline: '" + hex + "'; expected eight hexadecimal digits");
    }
    return new TimelineId(Long.parseLong(hex, 16));
  }

  public TimelineId next() {
    return new TimelineId(value + 1);
  }

  /** Eight upper-case hexadecimal digits, as in WAL file names ({@code 0000000A}). */
  public String toHex() {
    return String.format("%08X", value);
  }

  @Override
  public int compareTo(TimelineId o) {
    return Long.compare(value, o.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
