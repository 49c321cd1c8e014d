package io.klio.backup.recovery;

import io.klio.api.io.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The recovery settings a restore leaves in the data directory, written as {@code pg_basebackup -R}
 * writes its own: lines appended to {@code postgresql.auto.conf} (what is there before is left as
 * it is) and a signal file. A restore from the archive gets {@code recovery.signal}, {@code
 * restore_command} and the target; with a {@code primaryConninfo} the server becomes a standby
 * instead ({@code standby.signal}, {@code primary_conninfo}, {@code primary_slot_name}).
 *
 * <p>Every target setting is written, the chosen one last and the others empty, and so are {@code
 * recovery_target_timeline}, {@code _inclusive} and {@code _action} (PostgreSQL's defaults when not
 * given): settings left in the restored {@code postgresql.auto.conf} by an earlier restore of the
 * cluster then neither add a second target (which PostgreSQL refuses) nor change this one. An
 * immutable value.
 *
 * @param restoreCommand the {@code restore_command}, {@code %f} and {@code %p} included
 * @param target where recovery stops; empty: at the end of the archive
 * @param timeline the timeline to follow
 * @param inclusive whether to stop just after the target (true) or just before it
 * @param action what to do at the target
 * @param primaryConninfo for a standby: how to reach the primary
 * @param primarySlotName for a standby: the replication slot to use
 */
public record RecoveryConfig(
    String restoreCommand,
    Optional<RecoveryTarget> target,
    TargetTimeline timeline,
    boolean inclusive,
    TargetAction action,
    Optional<String> primaryConninfo,
    Optional<String> primarySlotName) {

  static final List<String> TARGET_SETTINGS =
      List.of(
          "recovery_target",
          "recovery_target_lsn",
          "recovery_target_name",
          "recovery_target_time",
          "recovery_target_xid");

  public RecoveryConfig {
    Objects.requireNonNull(restoreCommand, "restoreCommand");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(timeline, "timeline");
    Objects.requireNonNull(action, "action");
    if (primarySlotName.isPresent() && primaryConninfo.isEmpty()) {
      throw new IllegalArgumentException("a primary slot name needs a primary_conninfo");
    }
  }

  /** Recovery from the archive with {@code restoreCommand}, to the end, PostgreSQL's defaults. */
  public static RecoveryConfig of(String restoreCommand) {
    return new RecoveryConfig(
        restoreCommand,
        Optional.empty(),
        TargetTimeline.LATEST,
        true,
        TargetAction.PAUSE,
        Optional.empty(),
        Optional.empty());
  }

  public RecoveryConfig withTarget(RecoveryTarget t) {
    return new RecoveryConfig(
        restoreCommand,
        Optional.of(t),
        timeline,
        inclusive,
        action,
        primaryConninfo,
        primarySlotName);
  }

  public RecoveryConfig withTimeline(TargetTimeline t) {
    return new RecoveryConfig(
        restoreCommand, target, t, inclusive, action, primaryConninfo, primarySlotName);
  }

  public RecoveryConfig withInclusive(boolean i) {
    return new RecoveryConfig(
        restoreCommand, target, timeline, i, action, primaryConninfo, primarySlotName);
  }

  public RecoveryConfig withAction(TargetAction a) {
    return new RecoveryConfig(
        restoreCommand, target, timeline, inclusive, a, primaryConninfo, primarySlotName);
  }

  /** A standby of the primary at {@code conninfo}, using {@code slot} when given. */
  public RecoveryConfig asStandby(String conninfo, Optional<String> slot) {
    return new RecoveryConfig(
        restoreCommand,
        target,
        timeline,
        inclusive,
        action,
        Optional.of(conninfo),
        Objects.requireNonNull(slot));
  }

  /**
   * The signal file this configuration needs: {@code recovery.signal} or {@code standby.signal}.
   */
  public String signalFile() {
    return primaryConninfo.isPresent() ? "standby.signal" : "recovery.signal";
  }

  /** The lines appended to {@code postgresql.auto.conf}, exactly. */
  public String settings() {
    StringBuilder b = new StringBuilder();
    primaryConninfo.ifPresent(c -> b.append(GucQuoting.line("primary_conninfo", c)));
    primarySlotName.ifPresent(s -> b.append(GucQuoting.line("primary_slot_name", s)));
    b.append(GucQuoting.line("restore_command", restoreCommand));
    String chosen = target.map(RecoveryTarget::setting).orElse("");
    for (String s : TARGET_SETTINGS) {
      if (!s.equals(chosen)) {
        b.append(GucQuoting.line(s, ""));
      }
    }
    target.ifPresent(t -> b.append(GucQuoting.line(t.setting(), t.value())));
    b.append(GucQuoting.line("recovery_target_timeline", timeline.value()));
    b.append(GucQuoting.line("recovery_target_inclusive", Boolean.toString(inclusive)));
    b.append(GucQuoting.line("recovery_target_action", action.value()));
    return b.toString();
  }

  /**
   * Appends {@link #settings()} to {@code postgresql.auto.conf} of {@code dataDirectory} (created
   * when missing; a line feed first when the existing content does not end with one) and creates
   * the signal file, both durably; removes the other signal file (a restored backup of a standby
   * holds {@code standby.signal}), so that this one decides how the server starts.
   */
  public void writeTo(Path dataDirectory) throws IOException {
    Path conf = dataDirectory.resolve("postgresql.auto.conf");
    String add = settings();
    if (Files.exists(conf) && Files.size(conf) > 0 && !endsWithNewline(conf)) {
      add = "\n" + add;
    }
    try (FileChannel ch =
        FileChannel.open(
            conf, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer buf = ByteBuffer.wrap(add.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Path signal = dataDirectory.resolve(signalFile());
    try (FileChannel ch =
        FileChannel.open(signal, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    // a backup of a standby holds its standby.signal (PostgreSQL's base backups take it), and
    // standby.signal wins over recovery.signal: left there, it would keep a restore from the
    // archive in standby mode forever, never reaching its target or the end of the archive
    Files.deleteIfExists(
        dataDirectory.resolve(
            signalFile().equals("standby.signal") ? "recovery.signal" : "standby.signal"));
    DurableFiles.fsyncDirectory(dataDirectory);
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      ch.read(last, ch.size() - 1);
      return last.get(0) == '\n';
    }
  }
}
