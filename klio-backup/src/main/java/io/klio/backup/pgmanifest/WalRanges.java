package io.klio.backup.pgmanifest;

import io.klio.api.Lsn;
import io.klio.api.TimelineHistory;
import io.klio.api.TimelineId;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes the {@code WAL-Ranges} of a backup the way the server does ({@code
 * AddWALInfoToBackupManifest}): from the end timeline's history, newest timeline first, keeping the
 * timelines that were still active when the backup started. The first range is on the end timeline
 * and ends at the backup's end LSN; each older range ends where the next newer timeline began; the
 * range on the start timeline starts at the backup's start LSN.
 *
 * <p>A backup that started and ended on one timeline has one range, {@code (tli, start, end)}.
 */
public final class WalRanges {

  private WalRanges() {}

  /**
   * The ranges, newest timeline first.
   *
   * @param startTimeline the timeline in force at the backup's start ({@code START TIMELINE})
   * @param startLsn the backup's start ({@code START WAL LOCATION}, the checkpoint's redo point)
   * @param endTimeline the timeline at {@code pg_backup_stop}
   * @param endLsn the LSN {@code pg_backup_stop} returned
   * @param endHistory the history of {@code endTimeline}
   * @throws IllegalArgumentException when the history does not lead from the end timeline back to
   *     the start timeline, or the LSNs contradict it
   */
  public static List<WalRange> compute(
      TimelineId startTimeline,
      Lsn startLsn,
      TimelineId endTimeline,
      Lsn endLsn,
      TimelineHistory endHistory) {
    if (!endHistory.timeline().equals(endTimeline)) {
      throw new IllegalArgumentException(
          "the history given is that of timeline "
              + endHistory.timeline()
              + ", not of the end timeline "
              + endTimeline);
    }
    List<WalRange> ranges = new ArrayList<>();
    Lsn end = endLsn;
    for (Segment s : newestFirst(endHistory)) {
      // timelines that ended before the backup started do not matter
      if (s.end.isValid() && s.end.isBefore(startLsn)) {
        continue;
      }
      if (ranges.isEmpty() && !s.tli.equals(endTimeline)) {
        throw new IllegalArgumentException(
            "expected end timeline " + endTimeline + " but found timeline " + s.tli);
      }
      Lsn begin;
      if (s.tli.equals(startTimeline)) {
        begin = startLsn;
      } else {
        if (!s.begin.isValid()) {
          throw new IllegalArgumentException(
              "expected start timeline " + startTimeline + " but found timeline " + s.tli);
        }
        begin = s.begin;
      }
      if (begin.isAfter(end)) {
        throw new IllegalArgumentException(
            "timeline "
                + s.tli
                + " would need WAL from "
                + begin
                + " to "
                + end
                + ", which is backwards: the LSNs do not fit the history of timeline "
                + endTimeline);
      }
      ranges.add(new WalRange(s.tli, begin, end));
      if (s.tli.equals(startTimeline)) {
        return List.copyOf(ranges);
      }
      end = s.begin;
    }
    throw new IllegalArgumentException(
        "start timeline " + startTimeline + " not found in history of timeline " + endTimeline);
  }

  /** A timeline's extent: begin and end are INVALID when unknown (first / current timeline). */
  private record Segment(TimelineId tli, Lsn begin, Lsn end) {}

  private static List<Segment> newestFirst(TimelineHistory history) {
    List<Segment> segments = new ArrayList<>();
    Lsn prevEnd = Lsn.INVALID;
    for (TimelineHistory.Entry e : history.ancestors()) {
      segments.add(0, new Segment(e.timeline(), prevEnd, e.switchPoint()));
      prevEnd = e.switchPoint();
    }
    segments.add(0, new Segment(history.timeline(), prevEnd, Lsn.INVALID));
    return segments;
  }
}
