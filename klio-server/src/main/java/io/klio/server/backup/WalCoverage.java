package io.klio.server.backup;

import io.klio.api.Lsn;
import io.klio.api.TimelineHistory;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.server.wal.WalHoldings;
import java.io.IOException;
import java.util.Optional;

/**
 * Whether a cluster's WAL archive holds the WAL a backup needs to be restorable: every segment from
 * the one holding the backup's start LSN to the one holding its end LSN, each read from the
 * timeline PostgreSQL's recovery reads it from (the newest timeline of the end timeline's history
 * that has begun by that segment), the last one at least up to the end LSN.
 *
 * <p>A missing segment that the archive has already moved past will never arrive (send-wal streams
 * forward from where the archive ends, and never fills an earlier gap): the backup can never become
 * restorable, and the answer says so instead of making the caller wait.
 */
final class WalCoverage {

  private WalCoverage() {}

  /** The answer: held, still to come, or never. */
  sealed interface Result {}

  /** Everything is held. */
  record Held() implements Result {}

  /**
   * Not yet: {@code missing} is the first segment (or history file) that is not held far enough,
   * {@code newest} what the archive has reached.
   */
  record Waiting(String missing, Optional<WalHoldings.Position> newest) implements Result {}

  /** It cannot become restorable, for {@code reason}. */
  record Never(String reason) implements Result {}

  static Result check(
      WalHoldings wal, TimelineId startTimeline, Lsn start, TimelineId endTimeline, Lsn end)
      throws IOException {
    if (end.compareTo(start) < 0) {
      return new Never("its end LSN " + end + " is before its start LSN " + start);
    }
    Optional<WalHoldings.Position> newest = wal.newest();
    TimelineHistory history;
    if (endTimeline.equals(startTimeline)) {
      history = new TimelineHistory(endTimeline, java.util.List.of());
    } else {
      Optional<TimelineHistory> h = wal.history(endTimeline);
      if (h.isEmpty()) {
        return new Waiting(endTimeline.toHex() + ".history", newest);
      }
      history = h.get();
      if (!history.contains(startTimeline)) {
        return new Never(
            "its start timeline "
                + startTimeline
                + " is not in the history of its end timeline "
                + endTimeline);
      }
    }
    var size = wal.segmentSize();
    long first = start.segmentNumber(size);
    // the byte before the end LSN is the last one replay needs
    long last = end.equals(start) ? first : Lsn.of(end.value() - 1).segmentNumber(size);
    for (long n = first; n <= last; n++) {
      TimelineId tli = readFrom(history, startTimeline, n, size);
      WalFileName.Segment seg = WalFileName.Segment.of(tli, n, size);
      Lsn needed = n == last ? end : seg.endLsn();
      Optional<Lsn> held = wal.heldUpTo(seg);
      if (held.isPresent() && held.get().compareTo(needed) >= 0) {
        continue;
      }
      if (newest.isPresent() && movedPast(newest.get(), seg, needed)) {
        return new Never(
            "WAL segment "
                + seg
                + " is "
                + (held.isPresent() ? "held only up to " + held.get() : "not in the archive")
                + ", and the archive has moved past it (it holds WAL up to "
                + newest.get()
                + "): that WAL was never streamed to the server, so this backup can never be"
                + " restored. On a standby this happens when its latest restartpoint is older"
                + " than where send-wal started: run CHECKPOINT on the primary, wait for the"
                + " standby to replay it, and take the backup again");
      }
      return new Waiting(seg.toString(), newest);
    }
    return new Held();
  }

  /**
   * The timeline recovery reads segment {@code n} from: the newest timeline of the history whose
   * begin is in or before that segment, but not older than the backup's start timeline.
   */
  private static TimelineId readFrom(
      TimelineHistory history, TimelineId startTimeline, long n, io.klio.api.WalSegmentSize size) {
    TimelineId t = history.timeline();
    while (!t.equals(startTimeline)) {
      Optional<Lsn> begin = history.begin(t);
      if (begin.isEmpty() || begin.get().segmentNumber(size) <= n) {
        return t;
      }
      t = previous(history, t);
    }
    return startTimeline;
  }

  private static TimelineId previous(TimelineHistory history, TimelineId t) {
    TimelineId prev = null;
    for (TimelineHistory.Entry e : history.ancestors()) {
      if (e.timeline().compareTo(t) < 0) {
        prev = e.timeline();
      }
    }
    if (prev == null) {
      throw new IllegalStateException("timeline " + t + " has no ancestor in " + history);
    }
    return prev;
  }

  /** Whether the archive's newest position shows that {@code seg} will not get more WAL. */
  private static boolean movedPast(
      WalHoldings.Position newest, WalFileName.Segment seg, Lsn needed) {
    int c = newest.timeline().compareTo(seg.timeline());
    if (c > 0) {
      return true; // streaming on a later timeline: this one is finished
    }
    return c == 0 && newest.lsn().compareTo(needed) >= 0;
  }
}
