package io.klio.backup;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads and writes {@code tablespace_map}: one line per tablespace, its oid, one space, its
 * directory with {@code \n}, {@code \r} and {@code \} escaped by a backslash ({@code
 * do_pg_backup_start} writes it, {@code read_tablespace_map} reads it).
 */
final class TablespaceMaps {

  private TablespaceMaps() {}

  /**
   * {@code map} with the directory of each tablespace in {@code relocated} (oid → new directory)
   * replaced, every other byte as it was.
   *
   * @throws IllegalArgumentException naming the line when a line is not {@code <oid> <directory>}
   */
  static byte[] remap(byte[] map, Map<String, String> relocated) {
    String text = new String(map, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(text.length() + 64);
    StringBuilder line = new StringBuilder();
    StringBuilder raw = new StringBuilder();
    boolean backslash = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      raw.append(c);
      if (!backslash && (c == '\n' || c == '\r')) {
        if (line.length() > 0) {
          out.append(rewrite(line.toString(), raw, relocated));
        } else {
          out.append(raw);
        }
        line.setLength(0);
        raw.setLength(0);
      } else if (!backslash && c == '\\') {
        backslash = true;
      } else {
        line.append(c);
        backslash = false;
      }
    }
    if (line.length() > 0) {
      out.append(rewrite(line.toString(), raw, relocated));
    } else {
      out.append(raw);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One de-escaped line, rewritten when its tablespace moved; {@code raw} as it was written. */
  private static CharSequence rewrite(
      String line, CharSequence raw, Map<String, String> relocated) {
    int i = 0;
    while (i < line.length() && line.charAt(i) >= '0' && line.charAt(i) <= '9') {
      i++;
    }
    if (i == 0 || i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException(
          "invalid tablespace_map line '" + line + "': expected an oid, a space and a directory");
    }
    String moved = relocated.get(line.substring(0, i));
    if (moved == null) {
      return raw;
    }
    char end = raw.charAt(raw.length() - 1);
    String terminator = end == '\n' || end == '\r' ? String.valueOf(end) : "";
    return line.substring(0, i + 1) + escape(moved) + terminator;
  }

  static String escape(String directory) {
    StringBuilder b = new StringBuilder(directory.length());
    for (int i = 0; i < directory.length(); i++) {
      char c = directory.charAt(i);
      if (c == '\n' || c == '\r' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
