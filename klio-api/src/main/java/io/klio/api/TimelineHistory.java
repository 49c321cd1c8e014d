package io.klio.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A timeline history file ({@code 00000002.history}): the timelines a timeline branched from, each
 * with the position where it was left. PostgreSQL writes one line per ancestor, {@code
 * <tli>\t<X/X>\t<reason>}, oldest first; blank lines and lines starting with {@code #} are
 * comments.
 *
 * @param timeline the timeline whose history this is
 * @param ancestors the timelines before it, oldest first, each with its switch point
 */
public record TimelineHistory(TimelineId timeline, List<Entry> ancestors) {

  /** An ancestor timeline and the position at which the next timeline branched off it. */
  public record Entry(TimelineId timeline, Lsn switchPoint) {}

  public TimelineHistory {
    ancestors = List.copyOf(ancestors);
    TimelineId previous = null;
    for (Entry e : ancestors) {
      if (e.timeline().compareTo(timeline) >= 0
          || (previous != null && e.timeline().compareTo(previous) <= 0)) {
        throw new IllegalArgumentException(
            "history of timeline "
                + timeline
                + ": ancestor timelines must increase and be below "
                + timeline
                + ", got "
                + e.timeline());
      }
      previous = e.timeline();
    }
  }

  /** The history of timeline 1, which has no ancestors. */
  public static TimelineHistory first() {
    return new TimelineHistory(TimelineId.FIRST, List.of());
  }

  /**
   * Parses the content of {@code <timeline>.history}.
   *
   * @throws IllegalArgumentException naming the line that is not a history entry
   */
  public static TimelineHistory parse(TimelineId timeline, byte[] content) {
    String text = new String(content, StandardCharsets.UTF_8);
    List<Entry> entries = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+", 3);
      try {
        if (f.length < 2) {
          throw new IllegalArgumentException("expected '<timeline> <X/X> [reason]'");
        }
        entries.add(new Entry(TimelineId.parse(f[0]), Lsn.parse(f[1])));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "history file of timeline "
                + timeline
                + ", line "
                + (i + 1)
                + " ('"
                + line
                + "'): "
                + e.getMessage(),
            e);
      }
    }
    return new TimelineHistory(timeline, entries);
  }

  /**
   * Where {@code t} begins in this history: the switch point of the timeline before it; empty for
   * the oldest timeline of the history (it begins at the start of WAL).
   *
   * @throws IllegalArgumentException when {@code t} is not in this history
   */
  public Optional<Lsn> begin(TimelineId t) {
    if (t.equals(timeline) || ancestors.stream().anyMatch(e -> e.timeline().equals(t))) {
      Lsn begin = null;
      for (Entry e : ancestors) {
        if (e.timeline().compareTo(t) < 0) {
          begin = e.switchPoint();
        }
      }
      return Optional.ofNullable(begin);
    }
    throw new IllegalArgumentException("timeline " + t + " is not in the history of " + timeline);
  }

  /**
   * Where {@code t} ends in this history: its switch point; empty for this history's own timeline,
   * which has not ended.
   */
  public Optional<Lsn> end(TimelineId t) {
    for (Entry e : ancestors) {
      if (e.timeline().equals(t)) {
        return Optional.of(e.switchPoint());
      }
    }
    if (t.equals(timeline)) {
      return Optional.empty();
    }
    throw new IllegalArgumentException("timeline " + t + " is not in the history of " + timeline);
  }

  /** Whether {@code t} is this timeline or one of its ancestors. */
  public boolean contains(TimelineId t) {
    return t.equals(timeline) || ancestors.stream().anyMatch(e -> e.timeline().equals(t));
  }

  /**
   * The timeline that holds position {@code lsn} in this history: the oldest timeline whose switch
   * point is after it, else this history's own timeline.
   */
  public TimelineId timelineAt(Lsn lsn) {
    for (Entry e : ancestors) {
      if (lsn.isBefore(e.switchPoint())) {
        return e.timeline();
      }
    }
    return timeline;
  }
}
