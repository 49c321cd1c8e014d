package io.klio.walstream;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import java.util.Optional;

/** Typed results of replication commands. */
public final class ReplicationResults {

  private ReplicationResults() {}

  /** IDENTIFY_SYSTEM: the cluster's identity, current timeline and WAL write position. */
  public record IdentifySystem(
      SystemIdentifier systemId,
      TimelineId timeline,
      Lsn xlogPosition,
      Optional<String> database) {}

  /** READ_REPLICATION_SLOT: the slot's type and where it would restart streaming. */
  public record SlotState(
      String name, String type, Optional<Lsn> restartLsn, Optional<TimelineId> restartTimeline) {}

  /** TIMELINE_HISTORY: the history file's name and exact bytes. */
  public record TimelineHistory(String fileName, byte[] content) {}

  /** The end of a timeline while streaming: the next timeline and where it starts. */
  public record NextTimeline(TimelineId timeline, Lsn start) {}
}
