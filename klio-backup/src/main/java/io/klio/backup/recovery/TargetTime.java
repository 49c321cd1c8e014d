package io.klio.backup.recovery;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a {@code recovery_target_time}: PostgreSQL's ISO form {@code YYYY-MM-DD HH:MM[:SS[.f]]}
 * ({@code T} or a space between date and time) with a time zone that makes it unambiguous: {@code
 * Z}, {@code UTC}, {@code GMT}, a numeric offset ({@code +02}, {@code +0200}, {@code -05:30}) or a
 * region ({@code Europe/Berlin}, where a local time in a DST gap or overlap is refused).
 */
final class TargetTime {

  private static final Pattern FORM =
      Pattern.compile(
          "(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?"
              + "\\s*(.*)");
  private static final Pattern OFFSET = Pattern.compile("[+-]\\d{2}(:?\\d{2}(:?\\d{2})?)?");
  private static final Pattern REGION = Pattern.compile("[A-Za-z_]+(/[A-Za-z0-9_+-]+)+");

  private TargetTime() {}

  static Instant parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw invalid(
          text,
          "use the ISO form YYYY-MM-DD HH:MM:SS with a time zone, such as"
              + " 2026-12-01 10:00:00+00 (other forms depend on the server's DateStyle)");
    }
    LocalDateTime local;
    try {
      String fraction = m.group(7) == null ? "" : m.group(7);
      local =
          LocalDateTime.of(
              Integer.parseInt(m.group(1)),
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)),
              Integer.parseInt(m.group(4)),
              Integer.parseInt(m.group(5)),
              m.group(6) == null ? 0 : Integer.parseInt(m.group(6)),
              fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "00000000").substring(0, 9)));
    } catch (DateTimeException e) {
      throw invalid(text, e.getMessage());
    }
    return at(text, local, zone(text, m.group(8)));
  }

  private static ZoneId zone(String text, String zone) {
    String z = zone.trim();
    if (z.isEmpty()) {
      throw invalid(
          text,
          "it has no time zone, so PostgreSQL would read it in the server's TimeZone; add one, as"
              + " in '"
              + text.trim()
              + "+00' or '"
              + text.trim()
              + " Europe/Berlin'");
    }
    String upper = z.toUpperCase(Locale.ROOT);
    if (upper.equals("Z") || upper.equals("UTC") || upper.equals("GMT")) {
      return ZoneOffset.UTC;
    }
    try {
      if (OFFSET.matcher(z).matches()) {
        return ZoneOffset.of(z);
      }
      if (REGION.matcher(z).matches()) {
        return ZoneId.of(z);
      }
    } catch (DateTimeException e) {
      throw invalid(text, "unknown time zone '" + z + "'");
    }
    throw invalid(
        text,
        "the time zone '"
            + z
            + "' is ambiguous (abbreviations differ between servers); use a numeric offset such"
            + " as +01 or a region such as Europe/Paris");
  }

  /** The instant {@code local} is in {@code zone}; a time DST skips or repeats is refused. */
  static Instant at(String text, LocalDateTime local, ZoneId zone) {
    ZoneRules rules = zone.getRules();
    List<ZoneOffset> offsets = rules.getValidOffsets(local);
    if (offsets.isEmpty()) {
      throw invalid(text, "that local time does not exist in " + zone + " (a DST change)");
    }
    if (offsets.size() > 1) {
      throw invalid(
          text,
          "that local time happens twice in "
              + zone
              + " (a DST change); give a numeric offset instead");
    }
    return local.toInstant(offsets.get(0));
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException("invalid target time '" + text + "': " + why);
  }
}
