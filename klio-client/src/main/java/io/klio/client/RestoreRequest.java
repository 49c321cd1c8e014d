package io.klio.client;

import io.klio.backup.TablespaceMapping;
import io.klio.backup.recovery.RecoveryTarget;
import io.klio.backup.recovery.TargetAction;
import io.klio.backup.recovery.TargetTimeline;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link RestoreClient#restore} restores and how: an immutable value.
 *
 * @param dataDirectory the new (or empty) data directory to restore into
 * @param backupId the backup to restore; empty (or {@code latest}) to choose by the target: the
 *     newest backup that ends before a time or LSN target, else the latest one
 * @param target where recovery stops; empty: at the end of the archive
 * @param timeline the timeline recovery follows
 * @param inclusive whether recovery stops just after the target (PostgreSQL's default) or before
 * @param action what PostgreSQL does at the target
 * @param tablespaceMappings tablespaces restored elsewhere than their original location
 * @param jobs writer threads (each with its own ReadChunks call), 1 to 256
 * @param restoreCommand the {@code restore_command} PostgreSQL runs to fetch WAL ({@code %f} and
 *     {@code %p} included)
 * @param recoverySettings whether the restore writes the recovery settings ({@code
 *     recovery.signal}, {@code restore_command}, the target, timeline, inclusive and action in
 *     {@code postgresql.auto.conf}); false when someone else configures recovery (CloudNativePG
 *     writes its own, and settings in {@code postgresql.auto.conf} would override them)
 */
public record RestoreRequest(
    Path dataDirectory,
    Optional<String> backupId,
    Optional<RecoveryTarget> target,
    TargetTimeline timeline,
    boolean inclusive,
    TargetAction action,
    List<TablespaceMapping> tablespaceMappings,
    int jobs,
    String restoreCommand,
    boolean recoverySettings) {

  public RestoreRequest {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(timeline, "timeline");
    Objects.requireNonNull(action, "action");
    tablespaceMappings = List.copyOf(tablespaceMappings);
    if (jobs < 1 || jobs > 256) {
      throw new IllegalArgumentException("jobs must be 1 to 256, not " + jobs);
    }
    if (!restoreCommand.contains("%f") || !restoreCommand.contains("%p")) {
      throw new IllegalArgumentException(
          "a restore_command needs %f and %p, this one has not: " + restoreCommand);
    }
  }

  /**
   * A request for the latest backup, recovered to the end of the archive on the latest timeline,
   * then paused (PostgreSQL's defaults), with one writer per processor; change it with the
   * builder's methods.
   */
  public static Builder builder(Path dataDirectory, String restoreCommand) {
    return new Builder(dataDirectory, restoreCommand);
  }

  /** Builds a {@link RestoreRequest}. Not thread-safe. */
  public static final class Builder {
    private final Path dataDirectory;
    private final String restoreCommand;
    private Optional<String> backupId = Optional.empty();
    private Optional<RecoveryTarget> target = Optional.empty();
    private TargetTimeline timeline = TargetTimeline.LATEST;
    private boolean inclusive = true;
    private TargetAction action = TargetAction.PAUSE;
    private List<TablespaceMapping> mappings = List.of();
    private int jobs = Math.min(256, Runtime.getRuntime().availableProcessors());
    private boolean recoverySettings = true;

    private Builder(Path dataDirectory, String restoreCommand) {
      this.dataDirectory = dataDirectory;
      this.restoreCommand = restoreCommand;
    }

    /** The backup to restore ({@code latest} or empty: chosen by the target). */
    public Builder backup(Optional<String> id) {
      this.backupId = Objects.requireNonNull(id);
      return this;
    }

    public Builder target(Optional<RecoveryTarget> t) {
      this.target = Objects.requireNonNull(t);
      return this;
    }

    public Builder timeline(TargetTimeline t) {
      this.timeline = t;
      return this;
    }

    public Builder inclusive(boolean i) {
      this.inclusive = i;
      return this;
    }

    public Builder action(TargetAction a) {
      this.action = a;
      return this;
    }

    public Builder tablespaceMappings(List<TablespaceMapping> m) {
      this.mappings = m;
      return this;
    }

    public Builder jobs(int n) {
      this.jobs = n;
      return this;
    }

    /**
     * Whether the restore writes the recovery settings (the default) or leaves recovery to be
     * configured by someone else.
     */
    public Builder recoverySettings(boolean write) {
      this.recoverySettings = write;
      return this;
    }

    /**
     * @throws IllegalArgumentException when jobs is out of range or the restore_command lacks
     *     {@code %f} or {@code %p}
     */
    public RestoreRequest build() {
      return new RestoreRequest(
          dataDirectory,
          backupId,
          target,
          timeline,
          inclusive,
          action,
          mappings,
          jobs,
          restoreCommand,
          recoverySettings);
    }
  }
}
