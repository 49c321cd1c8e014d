package io.klio.backup.recovery;

/**
 * Quotes a value for a PostgreSQL configuration file the way its parser ({@code guc-file.l}) reads
 * it back: single quotes around, a single quote doubled, a backslash doubled (the parser treats it
 * as an escape), a line feed or carriage return as {@code \n} or {@code \r} (a quoted value cannot
 * span lines). {@code ALTER SYSTEM} and {@code pg_basebackup -R} double quotes and backslashes the
 * same way.
 */
final class GucQuoting {

  private GucQuoting() {}

  /**
   * @throws IllegalArgumentException for a value with a NUL character, which a configuration file
   *     cannot hold
   */
  static String quote(String value) {
    StringBuilder b = new StringBuilder(value.length() + 2).append('\'');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\'' -> b.append("''");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\0' ->
            throw new IllegalArgumentException("a configuration value cannot hold a NUL character");
        default -> b.append(c);
      }
    }
    return b.append('\'').toString();
  }

  /** {@code name = 'value'} and a line feed. */
  static String line(String name, String value) {
    return name + " = " + quote(value) + "\n";
  }
}
