package io.klio.client.internal;

import io.klio.api.SystemIdentifier;
import io.klio.api.io.DurableFiles;
import io.klio.backup.RestoreListener;
import io.klio.backup.RestoreProgress;
import io.klio.backup.WrittenFile;
import io.klio.backup.pgmanifest.BackupManifestWriter;
import io.klio.backup.pgmanifest.Checksum;
import io.klio.backup.pgmanifest.WalRange;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes PostgreSQL's {@code backup_manifest} of a restore as its files are written: each file the
 * {@link io.klio.backup.RestoreWriter} reports (with the size and CRC-32C of the bytes Klio stored)
 * becomes a line of a temporary file in the data directory, so that a manifest of any number of
 * files costs no memory; {@link #finish} adds the WAL ranges and moves it to {@code
 * backup_manifest}. The writer's calls come one at a time (its listener contract).
 */
final class PgManifestRecorder implements RestoreListener {

  static final String NAME = "backup_manifest";
  private static final String TEMPORARY = ".backup_manifest.klio-tmp";

  private final Path dataDirectory;
  private final int pgMajor;
  private final SystemIdentifier systemId;
  private final Consumer<RestoreProgress> progress;
  private OutputStream out;
  private BackupManifestWriter writer;

  PgManifestRecorder(
      Path dataDirectory,
      int pgMajor,
      SystemIdentifier systemId,
      Consumer<RestoreProgress> progress) {
    this.dataDirectory = dataDirectory;
    this.pgMajor = pgMajor;
    this.systemId = systemId;
    this.progress = progress;
  }

  @Override
  public void fileWritten(WrittenFile f) {
    try {
      if (writer == null) {
        // the restore writer created the data directory before reporting its first file
        Path tmp = dataDirectory.resolve(TEMPORARY);
        Files.createFile(
            tmp,
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        out = Files.newOutputStream(tmp, StandardOpenOption.WRITE);
        writer = BackupManifestWriter.forMajor(pgMajor, systemId, out);
      }
      writer.addFile(
          f.path(), f.size(), f.mtime(), Checksum.crc32c(Integer.toUnsignedLong(f.crc32c())));
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + TEMPORARY + " in " + dataDirectory, e);
    }
  }

  @Override
  public void progress(RestoreProgress p) {
    progress.accept(p);
  }

  /**
   * Ends the manifest with {@code ranges}, syncs it and renames it to {@code backup_manifest}.
   *
   * @return the number of files it lists
   */
  long finish(List<WalRange> ranges) throws IOException {
    if (writer == null) {
      throw new IllegalStateException("no file was written: nothing to list in " + NAME);
    }
    writer.finish(ranges);
    out.close();
    Path tmp = dataDirectory.resolve(TEMPORARY);
    try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    DurableFiles.move(tmp, dataDirectory.resolve(NAME));
    return writer.files();
  }
}
