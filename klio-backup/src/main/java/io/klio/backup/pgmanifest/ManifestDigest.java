package io.klio.backup.pgmanifest;

import java.security.MessageDigest;

/**
 * The manifest checksum as pg_verifybackup computes it: SHA-256 over every byte up to and including
 * the second-to-last newline (the last line holds the checksum itself). The bytes are fed as they
 * are read; the digest's state is kept at the last two newlines, so no part of the file is held.
 */
final class ManifestDigest {

  private final MessageDigest running = ChecksumAlgorithm.SHA256.newDigest();
  private MessageDigest atLastNewline;
  private MessageDigest atPenultimateNewline;
  private long newlines;
  private int lastByte = -1;

  void update(byte[] b, int off, int len) {
    int start = off;
    int end = off + len;
    for (int i = off; i < end; i++) {
      if (b[i] == '\n') {
        running.update(b, start, i + 1 - start);
        start = i + 1;
        newlines++;
        atPenultimateNewline = atLastNewline;
        atLastNewline = copy(running);
      }
    }
    running.update(b, start, end - start);
    if (len > 0) {
      lastByte = b[end - 1] & 0xFF;
    }
  }

  /**
   * The SHA-256 of the bytes the manifest checksum covers.
   *
   * @throws ManifestParseException when the file has fewer than two lines or does not end with a
   *     newline
   */
  byte[] coveredDigest() throws ManifestParseException {
    if (newlines < 2) {
      throw new ManifestParseException(
          "could not parse backup manifest: expected at least 2 lines");
    }
    if (lastByte != '\n') {
      throw new ManifestParseException(
          "could not parse backup manifest: last line not newline-terminated");
    }
    return atPenultimateNewline.digest();
  }

  private static MessageDigest copy(MessageDigest d) {
    try {
      return (MessageDigest) d.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 cannot be cloned", e);
    }
  }
}
