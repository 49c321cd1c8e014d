package io.klio.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * The identifier of a base backup: its start time in UTC to the second, {@code 20261124T054432Z},
 * so that identifiers sort in time order as plain strings and read well in a listing.
 */
public record BackupId(String value) implements Comparable<BackupId> {

  private static final Pattern FORMAT = Pattern.compile("[0-9]{8}T[0-9]{6}Z");
  private static final DateTimeFormatter FORMATTER =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  public BackupId {
    if (value == null || !FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "not a backup id: '" + value + "'; expected a UTC time such as 20261124T054432Z");
    }
    try {
      FORMATTER.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a backup id: '" + value + "'; not a valid time", e);
    }
  }

  public static BackupId parse(String text) {
    return new BackupId(text);
  }

  /** The id of a backup started at {@code start} (truncated to the second). */
  public static BackupId of(Instant start) {
    return new BackupId(FORMATTER.format(start.truncatedTo(ChronoUnit.SECONDS)));
  }

  /** The start time this id encodes. */
  public Instant startTime() {
    return Instant.from(FORMATTER.parse(value));
  }

  @Override
  public int compareTo(BackupId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
