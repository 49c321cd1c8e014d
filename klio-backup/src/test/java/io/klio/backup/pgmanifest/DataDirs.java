package io.klio.backup.pgmanifest;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/** Small data directories for tests, and manifests of them written by Klio's writer. */
final class DataDirs {

  static final List<WalRange> RANGE =
      List.of(new WalRange(TimelineId.FIRST, Lsn.parse("0/2000028"), Lsn.parse("0/2000100")));

  private DataDirs() {}

  /** A {@code pg_control} of {@code controlVersion} with a correct CRC at {@code crcOffset}. */
  static byte[] controlFile(long systemIdentifier, int controlVersion, int crcOffset) {
    byte[] b = new byte[8192];
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    bb.putLong(0, systemIdentifier);
    bb.putInt(8, controlVersion);
    bb.putInt(12, 202506291);
    CRC32C crc = new CRC32C();
    crc.update(b, 0, crcOffset);
    bb.putInt(crcOffset, (int) crc.getValue());
    return b;
  }

  /** A few files, a nested directory and an empty one. */
  static void populate(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("base/1"));
    Files.createDirectories(dir.resolve("global"));
    Files.createDirectories(dir.resolve("pg_wal/archive_status"));
    Files.createDirectories(dir.resolve("pg_notify"));
    Files.writeString(dir.resolve("PG_VERSION"), "18\n");
    Files.write(dir.resolve("base/1/1259"), new byte[20_000]);
    Files.writeString(dir.resolve("base/1/PG_VERSION"), "18\n");
    Files.write(dir.resolve("global/pg_control"), controlFile(42, 1800, 292));
    Files.writeString(dir.resolve("backup_label"), "START WAL LOCATION: 0/2000028\n");
  }

  /** Every regular file under {@code dir} except what pg_verifybackup ignores, sorted. */
  static List<String> files(Path dir) throws IOException {
    return files(dir, BackupManifestVerifier.Options.ALWAYS_IGNORED);
  }

  /** Every regular file under {@code dir} but {@code excluded} (and what is under them), sorted. */
  static List<String> files(Path dir, List<String> excluded) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        String rel = dir.relativize(p).toString();
        boolean ignored = excluded.stream().anyMatch(i -> rel.equals(i) || rel.startsWith(i + "/"));
        if (!ignored && Files.readAttributes(p, BasicFileAttributes.class).isRegularFile()) {
          out.add(rel);
        }
      }
    }
    return out;
  }

  /** Writes {@code <dir>/backup_manifest} for the files now in {@code dir}. */
  static void writeManifest(Path dir, int version, ChecksumAlgorithm algorithm) throws IOException {
    try (OutputStream out = Files.newOutputStream(dir.resolve("backup_manifest"))) {
      BackupManifestWriter w =
          version == 1
              ? BackupManifestWriter.version1(out)
              : BackupManifestWriter.version2(out, new SystemIdentifier(42));
      for (String rel : files(dir)) {
        Path p = dir.resolve(rel);
        w.addFile(
            rel,
            Files.size(p),
            Files.getLastModifiedTime(p).toInstant(),
            ChecksumCalculator.of(p, algorithm));
      }
      w.finish(RANGE);
    }
  }
}
