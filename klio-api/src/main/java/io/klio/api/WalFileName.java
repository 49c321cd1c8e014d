package io.klio.api;

/**
 * The name of a file in a WAL archive, exactly as PostgreSQL spells it:
 *
 * <ul>
 *   <li>{@link Segment}: {@code 000000010000000A000000FF}: timeline, then the segment number split
 *       into a 4 GiB "xlogid" and the segment inside it, each as eight upper-case hex digits;
 *   <li>{@link Partial}: a segment followed by {@code .partial} (received only in part);
 *   <li>{@link History}: {@code 00000002.history}, the history of a timeline;
 *   <li>{@link BackupHistory}: {@code 000000010000000000000002.00000028.backup}, a segment and the
 *       offset in it where a base backup started.
 * </ul>
 *
 * <p>Segment numbers depend on the cluster's {@link WalSegmentSize}, so parsing takes it. Malformed
 * names throw {@link IllegalArgumentException} naming the text.
 */
public sealed interface WalFileName
    permits WalFileName.Segment,
        WalFileName.Partial,
        WalFileName.History,
        WalFileName.BackupHistory {

  /** The timeline this file belongs to. */
  TimelineId timeline();

  /** The file name. */
  @Override
  String toString();

  /**
   * Parses any of the four kinds of name.
   *
   * @throws IllegalArgumentException naming the text when it is none of them, or when its segment
   *     part is impossible for {@code size}
   */
  static WalFileName parse(String name, WalSegmentSize size) {
    try {
      return parseUnchecked(name, size);
    } catch (IllegalArgumentException e) {
      if (name != null && e.getMessage() != null && e.getMessage().contains("'" + name + "'")) {
        throw e;
      }
      throw new IllegalArgumentException(
          "not a WAL file name: '" + name + "'; " + e.getMessage(), e);
    }
  }

  private static WalFileName parseUnchecked(String name, WalSegmentSize size) {
    if (name == null) {
      throw new IllegalArgumentException("WAL file name is missing (null)");
    }
    if (name.length() == 24) {
      return Segment.parse(name, size);
    }
    if (name.length() == 32 && name.endsWith(".partial")) {
      return new Partial(Segment.parse(name.substring(0, 24), size));
    }
    if (name.length() == 16 && name.endsWith(".history")) {
      return new History(TimelineId.parseHex(name.substring(0, 8)));
    }
    if (name.length() == 40 && name.endsWith(".backup") && name.charAt(24) == '.') {
      String offset = name.substring(25, 33);
      if (!isHex(offset)) {
        throw new IllegalArgumentException(
            "not a WAL file name: '" + name + "'; the backup offset must be eight hex digits");
      }
      return new BackupHistory(
          Segment.parse(name.substring(0, 24), size), Long.parseLong(offset, 16));
    }
    throw new IllegalArgumentException(
        "not a WAL file name: '"
            + name
            + "'; expected a segment (24 upper-case hex digits), a segment with .partial,"
            + " TTTTTTTT.history or a segment with .OOOOOOOO.backup");
  }

  /** True when every character is 0-9 or A-F (PostgreSQL writes these names in upper case). */
  static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'F')) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /** A complete WAL segment file. */
  record Segment(TimelineId timeline, long segmentNumber, WalSegmentSize size)
      implements WalFileName, Comparable<Segment> {

    public Segment {
      if (timeline == null || size == null) {
        throw new IllegalArgumentException("timeline and segment size are required");
      }
      if (segmentNumber < 0 || (size.log2() > 0 && segmentNumber >>> (64 - size.log2()) != 0)) {
        throw new IllegalArgumentException(
            "segment number "
                + Long.toUnsignedString(segmentNumber)
                + " is out of range for "
                + size);
      }
    }

    public static Segment of(TimelineId timeline, long segmentNumber, WalSegmentSize size) {
      return new Segment(timeline, segmentNumber, size);
    }

    /** The segment of {@code timeline} that holds the byte at {@code lsn}. */
    public static Segment containing(TimelineId timeline, Lsn lsn, WalSegmentSize size) {
      return new Segment(timeline, lsn.segmentNumber(size), size);
    }

    /** Parses a 24-character segment name. */
    public static Segment parse(String name, WalSegmentSize size) {
      if (name == null || name.length() != 24 || !isHex(name)) {
        throw new IllegalArgumentException(
            "not a WAL segment name: '" + name + "'; expected 24 upper-case hexadecimal digits");
      }
      if (name.startsWith("00000000")) {
        throw new IllegalArgumentException(
            "not a WAL segment name: '" + name + "'; timeline 00000000 does not exist");
      }
      TimelineId tli = TimelineId.parseHex(name.substring(0, 8));
      long xlogId = Long.parseLong(name.substring(8, 16), 16);
      long seg = Long.parseLong(name.substring(16, 24), 16);
      if (seg >= size.segmentsPerXLogId()) {
        throw new IllegalArgumentException(
            "not a WAL segment name for "
                + size
                + " segments: '"
                + name
                + "'; its last eight digits must be below "
                + String.format("%08X", size.segmentsPerXLogId()));
      }
      return new Segment(tli, xlogId * size.segmentsPerXLogId() + seg, size);
    }

    /** The position of the segment's first byte. */
    public Lsn startLsn() {
      return Lsn.of(segmentNumber << size.log2());
    }

    /** The position just after the segment's last byte (the next segment's start). */
    public Lsn endLsn() {
      return startLsn().plus(size.bytes());
    }

    public boolean contains(Lsn lsn) {
      return lsn.segmentNumber(size) == segmentNumber;
    }

    public Segment next() {
      return new Segment(timeline, segmentNumber + 1, size);
    }

    /**
     * @throws IllegalStateException on the first segment, which has no predecessor
     */
    public Segment previous() {
      if (segmentNumber == 0) {
        throw new IllegalStateException(this + " is the first segment; it has no previous one");
      }
      return new Segment(timeline, segmentNumber - 1, size);
    }

    /** The same segment number on another timeline. */
    public Segment onTimeline(TimelineId other) {
      return new Segment(other, segmentNumber, size);
    }

    public Partial partial() {
      return new Partial(this);
    }

    /** Orders by timeline, then segment number. */
    @Override
    public int compareTo(Segment o) {
      int c = timeline.compareTo(o.timeline);
      return c != 0 ? c : Long.compare(segmentNumber, o.segmentNumber);
    }

    @Override
    public String toString() {
      long perId = size.segmentsPerXLogId();
      return timeline.toHex()
          + String.format("%08X%08X", segmentNumber / perId, segmentNumber % perId);
    }
  }

  /** A segment received only in part: {@code <segment>.partial}. */
  record Partial(Segment segment) implements WalFileName {
    public Partial {
      if (segment == null) {
        throw new IllegalArgumentException("segment is required");
      }
    }

    @Override
    public TimelineId timeline() {
      return segment.timeline();
    }

    @Override
    public String toString() {
      return segment + ".partial";
    }
  }

  /** The history file of a timeline: {@code TTTTTTTT.history}. */
  record History(TimelineId timeline) implements WalFileName {
    public History {
      if (timeline == null) {
        throw new IllegalArgumentException("timeline is required");
      }
    }

    @Override
    public String toString() {
      return timeline.toHex() + ".history";
    }
  }

  /** A backup history file: {@code <segment>.<offset as 8 hex digits>.backup}. */
  record BackupHistory(Segment segment, long offset) implements WalFileName {
    public BackupHistory {
      if (segment == null) {
        throw new IllegalArgumentException("segment is required");
      }
      if (offset < 0 || offset >= segment.size().bytes()) {
        throw new IllegalArgumentException(
            "backup offset " + offset + " is outside a segment of " + segment.size());
      }
    }

    @Override
    public TimelineId timeline() {
      return segment.timeline();
    }

    /** The position where the backup started. */
    public Lsn startLsn() {
      return segment.startLsn().plus(offset);
    }

    @Override
    public String toString() {
      return segment + String.format(".%08X.backup", offset);
    }
  }
}
