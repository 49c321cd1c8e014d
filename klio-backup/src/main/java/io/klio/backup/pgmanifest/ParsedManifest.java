package io.klio.backup.pgmanifest;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a strictly parsed {@code backup_manifest} holds.
 *
 * @param version 1 or 2
 * @param systemIdentifier the {@code System-Identifier} (unsigned), when present
 * @param files the file entries by path, in manifest order
 * @param walRanges the WAL ranges in manifest order, as written (pg checks only their syntax)
 */
record ParsedManifest(
    int version,
    OptionalLong systemIdentifier,
    Map<String, ManifestEntry> files,
    List<RawWalRange> walRanges) {

  /** A WAL range as the manifest gives it: a 32-bit timeline, two unsigned 64-bit LSNs. */
  record RawWalRange(long timeline, long start, long end) {

    /**
     * As a {@link WalRange}.
     *
     * @throws IllegalArgumentException when the timeline is 0 or the range runs backwards
     */
    WalRange toWalRange() {
      return new WalRange(
          io.klio.api.TimelineId.of(timeline), io.klio.api.Lsn.of(start), io.klio.api.Lsn.of(end));
    }
  }

  /**
   * One file entry.
   *
   * @param path the path relative to the data directory, decoded from its bytes with the JVM's file
   *     name encoding (so that it compares equal to the names {@code java.nio} gives)
   * @param size the size in bytes, unsigned (a manifest may say more than {@code Long.MAX_VALUE})
   * @param algorithm the checksum algorithm, {@link ChecksumAlgorithm#NONE} when there is none
   * @param checksum the checksum bytes as the manifest gives them (any length; pg compares the
   *     length when it verifies)
   * @param lastModified the {@code Last-Modified} text as written (never checked)
   */
  record ManifestEntry(
      String path, long size, ChecksumAlgorithm algorithm, byte[] checksum, String lastModified) {}
}
