package io.klio.server.wal;

import io.klio.api.Lsn;
import io.klio.api.TimelineHistory;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import java.io.IOException;
import java.util.Optional;

/**
 * What a cluster's WAL archive holds, as far as a backup's commit needs to know ({@link
 * Archives#holdings}; tests implement it over plain collections). Thread-safe; every call reads the
 * archive as it is now.
 */
public interface WalHoldings {

  WalSegmentSize segmentSize();

  /**
   * How far the archive holds {@code segment}: its end when the whole segment is held (archived, or
   * received whole and not yet archived), the end of what is durable when only part of it is (the
   * segment being received), empty when none of it is.
   */
  Optional<Lsn> heldUpTo(WalFileName.Segment segment) throws IOException;

  /** The newest durable position of the archive and its timeline; empty when it holds no WAL. */
  Optional<Position> newest() throws IOException;

  /** The history of {@code timeline} when its history file is held (timeline 1 has none). */
  Optional<TimelineHistory> history(TimelineId timeline) throws IOException;

  /** A position on a timeline. */
  record Position(TimelineId timeline, Lsn lsn) {
    @Override
    public String toString() {
      return lsn + " on timeline " + timeline;
    }
  }
}
