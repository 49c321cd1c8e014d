package io.klio.backup;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code backup_label} that {@code pg_backup_stop} returns (and a restore writes back into the
 * data directory), parsed:
 *
 * <pre>
 * START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
 * CHECKPOINT LOCATION: 0/2000060
 * BACKUP METHOD: streamed
 * BACKUP FROM: primary
 * START TIME: 2026-12-01 10:00:00 UTC
 * LABEL: klio 20261201T100000Z
 * START TIMELINE: 1
 * </pre>
 *
 * (17 and later may add {@code INCREMENTAL FROM LSN} and {@code INCREMENTAL FROM TLI}.) The first
 * two lines are required, in that order, as PostgreSQL reads them; the others may be missing. An
 * immutable value.
 *
 * @param startLsn the redo point: where replay of the backup starts (START WAL LOCATION)
 * @param startWalFile the WAL file holding it, as written
 * @param checkpointLsn CHECKPOINT LOCATION
 * @param backupMethod BACKUP METHOD ({@code streamed} for every online backup)
 * @param backupFrom BACKUP FROM; {@code primary} when the line is missing
 * @param startTime START TIME as written (in the server's log_timezone, so not parsed)
 * @param label LABEL, the text given to pg_backup_start
 * @param startTimeline START TIMELINE, or the start WAL file's timeline when the line is missing
 * @param incrementalFromLsn INCREMENTAL FROM LSN
 * @param incrementalFromTimeline INCREMENTAL FROM TLI
 */
public record BackupLabel(
    Lsn startLsn,
    String startWalFile,
    Lsn checkpointLsn,
    Optional<String> backupMethod,
    BackupFrom backupFrom,
    Optional<String> startTime,
    Optional<String> label,
    TimelineId startTimeline,
    Optional<Lsn> incrementalFromLsn,
    Optional<TimelineId> incrementalFromTimeline) {

  /** Where a backup was taken. */
  public enum BackupFrom {
    PRIMARY,
    STANDBY
  }

  private static final Pattern START =
      Pattern.compile("([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}) \\(file ([0-9A-F]{24})\\)");

  /**
   * Parses the label's bytes (UTF-8; the label text may hold anything but a line break).
   *
   * @throws IllegalArgumentException naming the line (number and text) that is wrong, or the line
   *     that is missing
   */
  public static BackupLabel parse(byte[] text) {
    String s = new String(text, StandardCharsets.UTF_8);
    String[] lines = s.split("\n", -1);
    int count = s.isEmpty() ? 0 : s.endsWith("\n") ? lines.length - 1 : lines.length;
    if (count < 2) {
      throw new IllegalArgumentException(
          "backup_label has "
              + count
              + " line(s); it needs at least START WAL LOCATION and CHECKPOINT LOCATION");
    }
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw bad(i, line, "expected KEY: value");
      }
      String key = line.substring(0, colon);
      String value = line.substring(colon + 1);
      value = value.startsWith(" ") ? value.substring(1) : value;
      String expected = i == 0 ? "START WAL LOCATION" : i == 1 ? "CHECKPOINT LOCATION" : null;
      if (expected != null && !key.equals(expected)) {
        throw bad(i, line, "line " + (i + 1) + " must be " + expected);
      }
      if (!Field.KNOWN.contains(key)) {
        throw bad(i, line, "unknown key '" + key + "'");
      }
      if (fields.put(key, value) != null) {
        throw bad(i, line, "'" + key + "' appears twice");
      }
      Field.check(key, value, i, line);
    }
    Matcher m = START.matcher(fields.get("START WAL LOCATION"));
    m.matches(); // checked above
    String walFile = m.group(2);
    TimelineId fileTimeline = timelineOf(walFile, lines[0]);
    TimelineId startTimeline =
        Optional.ofNullable(fields.get("START TIMELINE"))
            .map(TimelineId::parse)
            .orElse(fileTimeline);
    if (!startTimeline.equals(fileTimeline)) {
      throw new IllegalArgumentException(
          "backup_label says START TIMELINE: "
              + startTimeline
              + " but its start WAL file "
              + walFile
              + " is on timeline "
              + fileTimeline);
    }
    String from = fields.getOrDefault("BACKUP FROM", "primary");
    return new BackupLabel(
        Lsn.parse(m.group(1)),
        walFile,
        Lsn.parse(fields.get("CHECKPOINT LOCATION")),
        Optional.ofNullable(fields.get("BACKUP METHOD")),
        from.equals("standby") ? BackupFrom.STANDBY : BackupFrom.PRIMARY,
        Optional.ofNullable(fields.get("START TIME")),
        Optional.ofNullable(fields.get("LABEL")),
        startTimeline,
        Optional.ofNullable(fields.get("INCREMENTAL FROM LSN")).map(Lsn::parse),
        Optional.ofNullable(fields.get("INCREMENTAL FROM TLI")).map(TimelineId::parse));
  }

  private static TimelineId timelineOf(String walFile, String line) {
    try {
      return TimelineId.parseHex(walFile.substring(0, 8));
    } catch (IllegalArgumentException e) {
      throw bad(0, line, "the WAL file's timeline " + walFile.substring(0, 8) + " is invalid");
    }
  }

  /**
   * The start WAL file as a segment of a cluster with {@code size} segments.
   *
   * @throws IllegalArgumentException when the file name and the start LSN disagree
   */
  public WalFileName.Segment startSegment(WalSegmentSize size) {
    WalFileName.Segment seg = WalFileName.Segment.parse(startWalFile, size);
    if (!seg.contains(startLsn)) {
      throw new IllegalArgumentException(
          "backup_label's start WAL file "
              + startWalFile
              + " does not hold its start location "
              + startLsn
              + " with "
              + size
              + " segments");
    }
    return seg;
  }

  static IllegalArgumentException bad(int index, String line, String why) {
    String shown = line.length() > 120 ? line.substring(0, 120) + "…" : line;
    return new IllegalArgumentException(
        "backup_label line " + (index + 1) + " '" + shown + "' is invalid: " + why);
  }

  /** The keys a backup_label may hold and the checks of their values. */
  private static final class Field {
    static final java.util.Set<String> KNOWN =
        java.util.Set.of(
            "START WAL LOCATION",
            "CHECKPOINT LOCATION",
            "BACKUP METHOD",
            "BACKUP FROM",
            "START TIME",
            "LABEL",
            "START TIMELINE",
            "INCREMENTAL FROM LSN",
            "INCREMENTAL FROM TLI");

    static void check(String key, String value, int index, String line) {
      try {
        switch (key) {
          case "START WAL LOCATION" -> {
            if (!START.matcher(value).matches()) {
              throw bad(index, line, "expected X/X (file <24 upper-case hex digits>)");
            }
          }
          case "CHECKPOINT LOCATION", "INCREMENTAL FROM LSN" -> Lsn.parse(value);
          case "START TIMELINE", "INCREMENTAL FROM TLI" -> {
            if (!value.matches("[0-9]{1,10}")) {
              throw bad(index, line, "expected a decimal timeline");
            }
            TimelineId.parse(value);
          }
          case "BACKUP FROM" -> {
            if (!value.equals("primary") && !value.equals("standby")) {
              throw bad(index, line, "expected primary or standby");
            }
          }
          default -> {
            // free text
          }
        }
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("backup_label line")) {
          throw e;
        }
        throw bad(index, line, e.getMessage());
      }
    }
  }
}
