package io.klio.backup.pgmanifest;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import java.util.Objects;

/**
 * One entry of a manifest's {@code WAL-Ranges}: the WAL of {@code timeline} from {@code start} to
 * {@code end} that a restore of the backup must replay.
 */
public record WalRange(TimelineId timeline, Lsn start, Lsn end) {

  public WalRange {
    Objects.requireNonNull(timeline, "timeline");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (start.isAfter(end)) {
      throw new IllegalArgumentException(
          "WAL range on timeline " + timeline + " starts at " + start + ", after its end " + end);
    }
  }
}
