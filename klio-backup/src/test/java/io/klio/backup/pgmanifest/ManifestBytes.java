package io.klio.backup.pgmanifest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** Test helpers for manifest text: fixing the checksum line after an edit, parsing bytes. */
final class ManifestBytes {

  private ManifestBytes() {}

  /**
   * Replaces the last line with a {@code Manifest-Checksum} line that is right for everything
   * before it, so that an edit elsewhere is the only thing wrong.
   */
  static String withChecksum(String manifest) {
    return new String(
        withChecksum(manifest.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  /** {@link #withChecksum(String)} over raw bytes (which need not be UTF-8). */
  static byte[] withChecksum(byte[] manifest) {
    int end = manifest.length;
    if (end > 0 && manifest[end - 1] == '\n') {
      end--;
    }
    int lastLine = end;
    while (lastLine > 0 && manifest[lastLine - 1] != '\n') {
      lastLine--;
    }
    byte[] covered = Arrays.copyOf(manifest, lastLine);
    byte[] tail =
        ("\"Manifest-Checksum\": \"" + sha256Hex(covered) + "\"}\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(covered, covered.length + tail.length);
    System.arraycopy(tail, 0, out, covered.length, tail.length);
    return out;
  }

  static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return Hex.encode(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static ParsedManifest parse(String text, ManifestParser.Dialect dialect)
      throws IOException, ManifestParseException {
    return parse(text.getBytes(StandardCharsets.UTF_8), dialect);
  }

  static ParsedManifest parse(byte[] bytes, ManifestParser.Dialect dialect)
      throws IOException, ManifestParseException {
    return ManifestParser.parse(new ByteArrayInputStream(bytes), dialect, StandardCharsets.UTF_8);
  }

  /**
   * A minimal valid version 1 manifest whose files part is {@code files} (entries, no brackets).
   */
  static String v1(String files) {
    return withChecksum(
        "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n"
            + files
            + "\n],\n\"WAL-Ranges\": [\n"
            + "{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }"
            + "\n],\nX\n");
  }
}
