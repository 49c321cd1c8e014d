package io.klio.walstream;

import io.klio.api.error.PermanentException;
import java.util.Map;
import java.util.Optional;

/**
 * An ErrorResponse from the server, with its SQLSTATE and every field. The message reads like
 * libpq's: severity, message, then detail and hint when present.
 */
public final class PostgresException extends PermanentException {

  private static final long serialVersionUID = 1L;

  private final Map<Character, String> fields;

  public PostgresException(String context, Map<Character, String> fields) {
    super(format(context, fields));
    this.fields = Map.copyOf(fields);
  }

  private static String format(String context, Map<Character, String> f) {
    StringBuilder sb = new StringBuilder();
    if (context != null && !context.isEmpty()) {
      sb.append(context).append(": ");
    }
    sb.append(f.getOrDefault('S', "ERROR"))
        .append(":  ")
        .append(f.getOrDefault('M', "(no message)"));
    sb.append(" (SQLSTATE ").append(f.getOrDefault('C', "?????")).append(')');
    if (f.containsKey('D')) {
      sb.append("\nDETAIL:  ").append(f.get('D'));
    }
    if (f.containsKey('H')) {
      sb.append("\nHINT:  ").append(f.get('H'));
    }
    return sb.toString();
  }

  /** The five-character SQLSTATE code. */
  public String sqlState() {
    return fields.getOrDefault('C', "");
  }

  /** ERROR, FATAL or PANIC (not localized). */
  public String severity() {
    return fields.getOrDefault('V', fields.getOrDefault('S', ""));
  }

  /** The primary message. */
  public String serverMessage() {
    return fields.getOrDefault('M', "");
  }

  public Optional<String> detail() {
    return Optional.ofNullable(fields.get('D'));
  }

  public Optional<String> hint() {
    return Optional.ofNullable(fields.get('H'));
  }

  /** Any field by its protocol code (see "Error and Notice Message Fields"). */
  public Optional<String> field(char code) {
    return Optional.ofNullable(fields.get(code));
  }

  /**
   * True for failures that usually pass: connection problems (class 08), the server starting up or
   * shutting down (57P01–57P03), too many connections (53300).
   */
  public boolean isTransient() {
    String s = sqlState();
    return s.startsWith("08")
        || s.equals("57P01")
        || s.equals("57P02")
        || s.equals("57P03")
        || s.equals("53300");
  }
}
