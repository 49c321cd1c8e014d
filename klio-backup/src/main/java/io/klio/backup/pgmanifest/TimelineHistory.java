package io.klio.backup.pgmanifest;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The history of a timeline: the content of its {@code <TLI>.history} file, one line per ancestor
 * timeline with the LSN where the next timeline branched off it, oldest first. Timeline 1 has no
 * history file and an empty history.
 *
 * <p>Klio's own reader (klio-api has none; klio-walstream only copies history files byte for byte).
 * It follows the server's {@code readTimeLineHistory}: blank lines and lines starting with {@code
 * #} are skipped; each other line is {@code <parent TLI><TAB><switchpoint X/X>[<TAB><reason>]};
 * timeline ids increase from line to line and are all below the timeline itself.
 *
 * @param timeline the timeline this is the history of
 * @param entries its ancestors, oldest first
 */
public record TimelineHistory(TimelineId timeline, List<Entry> entries) {

  /**
   * One line: timeline {@code parent} ended at {@code switchpoint}, where its child began.
   *
   * @param reason the free text after the switchpoint (may be empty)
   */
  public record Entry(TimelineId parent, Lsn switchpoint, String reason) {
    public Entry {
      Objects.requireNonNull(parent, "parent");
      Objects.requireNonNull(switchpoint, "switchpoint");
      Objects.requireNonNull(reason, "reason");
    }
  }

  public TimelineHistory {
    Objects.requireNonNull(timeline, "timeline");
    entries = List.copyOf(entries);
    TimelineId last = null;
    for (Entry e : entries) {
      if (last != null && e.parent().compareTo(last) <= 0) {
        throw new IllegalArgumentException(
            "timeline ids in a history must increase: " + e.parent() + " follows " + last);
      }
      last = e.parent();
    }
    if (last != null && last.compareTo(timeline) >= 0) {
      throw new IllegalArgumentException(
          "the history of timeline "
              + timeline
              + " names timeline "
              + last
              + "; ancestors must be older than the timeline");
    }
  }

  /** A timeline without ancestors (timeline 1, or one whose history file does not exist). */
  public static TimelineHistory none(TimelineId timeline) {
    return new TimelineHistory(timeline, List.of());
  }

  /**
   * Parses the content of {@code timeline}'s history file.
   *
   * @throws IllegalArgumentException naming the line (number and text) that is not a history line
   */
  public static TimelineHistory parse(TimelineId timeline, String content) {
    List<Entry> entries = new ArrayList<>();
    String[] lines = content.split("\n", -1);
    TimelineId last = null;
    for (int i = 0; i < lines.length; i++) {
      String line =
          lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      Entry e = parseLine(timeline, i + 1, line);
      if (last != null && e.parent().compareTo(last) <= 0) {
        throw bad(timeline, i + 1, line, "timeline ids must increase from line to line");
      }
      if (e.parent().compareTo(timeline) >= 0) {
        throw bad(
            timeline,
            i + 1,
            line,
            "timeline " + e.parent() + " is not older than timeline " + timeline);
      }
      last = e.parent();
      entries.add(e);
    }
    return new TimelineHistory(timeline, entries);
  }

  private static Entry parseLine(TimelineId timeline, int number, String line) {
    int p = skipSpace(line, 0);
    int digits = p;
    while (p < line.length() && line.charAt(p) >= '0' && line.charAt(p) <= '9') {
      p++;
    }
    if (p == digits || p - digits > 10) {
      throw bad(timeline, number, line, "expected a numeric timeline id first");
    }
    TimelineId parent;
    try {
      parent = TimelineId.of(Long.parseLong(line.substring(digits, p)));
    } catch (IllegalArgumentException e) {
      throw bad(timeline, number, line, e.getMessage());
    }
    int afterTli = p;
    p = skipSpace(line, p);
    int lsnStart = p;
    while (p < line.length() && !Character.isWhitespace(line.charAt(p))) {
      p++;
    }
    if (lsnStart == afterTli || lsnStart == p) {
      throw bad(timeline, number, line, "expected a write-ahead log switchpoint location (X/X)");
    }
    Lsn switchpoint;
    try {
      switchpoint = Lsn.parse(line.substring(lsnStart, p));
    } catch (IllegalArgumentException e) {
      throw bad(
          timeline,
          number,
          line,
          "expected a write-ahead log switchpoint location (X/X): " + e.getMessage());
    }
    return new Entry(parent, switchpoint, line.substring(skipSpace(line, p)));
  }

  private static int skipSpace(String s, int p) {
    while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
      p++;
    }
    return p;
  }

  private static IllegalArgumentException bad(
      TimelineId timeline, int number, String line, String why) {
    return new IllegalArgumentException(
        "invalid history file of timeline "
            + timeline
            + ", line "
            + number
            + " ('"
            + line
            + "'): "
            + why);
  }
}
