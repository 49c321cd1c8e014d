package io.klio.storage;

import java.nio.charset.StandardCharsets;

/**
 * The key of an object in a {@link BlobStore}: one to {@value #MAX_LENGTH} characters made of
 * segments separated by {@code /}. A segment is 1 to {@value #MAX_SEGMENT_LENGTH} characters from
 * {@code A-Z a-z 0-9 . _ -}, and is neither {@code .} nor {@code ..}. There is no leading, trailing
 * or doubled {@code /}.
 *
 * <p>This character set maps one to one onto file names on every filesystem we support and onto
 * object keys in S3 and Azure without any escaping, and it keeps the lexicographic order of keys
 * the same as their byte order everywhere.
 */
public record BlobKey(String value) implements Comparable<BlobKey> {

  public static final int MAX_LENGTH = 1024;
  public static final int MAX_SEGMENT_LENGTH = 255;

  public BlobKey {
    String problem = problem(value, false);
    if (problem != null) {
      throw new IllegalArgumentException("invalid object key '" + value + "': " + problem);
    }
  }

  public static BlobKey of(String value) {
    return new BlobKey(value);
  }

  /** The key {@code this + "/" + segment}. */
  public BlobKey resolve(String child) {
    return new BlobKey(value + "/" + child);
  }

  /** The last segment. */
  public String name() {
    return value.substring(value.lastIndexOf('/') + 1);
  }

  /**
   * Checks a listing prefix: empty, or a key, or a key followed by {@code /}, or a key with its
   * last segment cut short (so {@code wal/00000001} matches {@code wal/000000010000…}).
   *
   * @throws IllegalArgumentException naming the prefix when it is none of these
   */
  public static String checkPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("listing prefix is missing (null); use \"\" for all keys");
    }
    if (prefix.isEmpty()) {
      return prefix;
    }
    String problem = problem(prefix, true);
    if (problem != null) {
      throw new IllegalArgumentException("invalid listing prefix '" + prefix + "': " + problem);
    }
    return prefix;
  }

  private static String problem(String s, boolean prefix) {
    if (s == null || s.isEmpty()) {
      return "a key must not be empty";
    }
    if (s.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " bytes";
    }
    if (s.charAt(0) == '/') {
      return "it must not start with '/'";
    }
    int segmentStart = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '/') {
        int len = i - segmentStart;
        boolean last = i == s.length();
        if (len == 0 && !(prefix && last)) {
          return last ? "it must not end with '/'" : "it must not contain '//'";
        }
        if (len > MAX_SEGMENT_LENGTH) {
          return "a segment is longer than " + MAX_SEGMENT_LENGTH + " characters";
        }
        String seg = s.substring(segmentStart, i);
        if ((seg.equals(".") || seg.equals("..")) && !(prefix && last)) {
          return "'.' and '..' are not allowed as segments";
        }
        segmentStart = i + 1;
        continue;
      }
      char c = s.charAt(i);
      boolean ok =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return "character '"
            + (Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c))
            + "' at position "
            + i
            + " is not allowed; use A-Z a-z 0-9 . _ - and / between segments";
      }
    }
    return null;
  }

  @Override
  public int compareTo(BlobKey o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
