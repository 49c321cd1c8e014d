package io.klio.backup.pgmanifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.CRC32C;

/**
 * The checks pg_verifybackup (17 and later) makes of {@code global/pg_control} for a version 2
 * manifest: a correct CRC, the expected {@code pg_control_version}, and the manifest's system
 * identifier.
 *
 * <p>{@code ControlFileData} starts with the system identifier (uint64) and {@code
 * pg_control_version} (uint32), in host byte order (little-endian on our hosts), and ends with a
 * CRC-32C of every byte before it. Where that CRC sits depends on the major version: byte 288 for
 * control version 1300 (PostgreSQL 15 and 16) and 1700 (17), byte 292 for 1800 (18, which added
 * {@code default_char_signedness}). These offsets were read from {@code pg_control.h} and checked
 * against clusters made by initdb of each major.
 */
final class ControlFile {

  static final String PATH = "global/pg_control";

  /** pg_control_version → offsetof(ControlFileData, crc). */
  static final Map<Integer, Integer> CRC_OFFSETS = Map.of(1300, 288, 1700, 288, 1800, 292);

  /** The control version a major's pg_verifybackup requires. */
  static final Map<Integer, Integer> VERSION_OF_MAJOR =
      Map.of(15, 1300, 16, 1300, 17, 1700, 18, 1800);

  private ControlFile() {}

  /**
   * The problem with {@code file}, or empty when it passes.
   *
   * @param emulateMajor the pg_verifybackup major to act as; empty to accept every control version
   *     Klio knows
   */
  static Optional<String> check(
      Path file, long manifestSystemIdentifier, OptionalInt emulateMajor) {
    byte[] head = new byte[512];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return Optional.of("could not read file \"" + PATH + "\": " + IoReason.of(e));
    }
    ByteBuffer b = ByteBuffer.wrap(head, 0, n).order(ByteOrder.LITTLE_ENDIAN);
    if (n < 12) {
      return Optional.of(PATH + ": file is too short (" + n + " bytes) to be a control file");
    }
    int version = b.getInt(8);
    Integer wanted =
        emulateMajor.isPresent() ? VERSION_OF_MAJOR.get(emulateMajor.getAsInt()) : null;
    Integer offset = CRC_OFFSETS.get(wanted != null ? wanted : version);
    if (offset == null) {
      return Optional.of(
          PATH
              + ": unexpected control file version "
              + version
              + " (known: "
              + new java.util.TreeSet<>(CRC_OFFSETS.keySet())
              + ")");
    }
    if (n < offset + 4) {
      return Optional.of(
          PATH + ": could not read the control file: read " + n + " of " + (offset + 4) + " bytes");
    }
    CRC32C crc = new CRC32C();
    crc.update(head, 0, offset);
    if ((int) crc.getValue() != b.getInt(offset)) {
      return Optional.of(PATH + ": CRC is incorrect");
    }
    if (wanted != null && version != wanted) {
      return Optional.of(PATH + ": unexpected control file version");
    }
    long id = b.getLong(0);
    if (id != manifestSystemIdentifier) {
      return Optional.of(
          PATH
              + ": manifest system identifier is "
              + Long.toUnsignedString(manifestSystemIdentifier)
              + ", but control file has "
              + Long.toUnsignedString(id));
    }
    return Optional.empty();
  }
}
