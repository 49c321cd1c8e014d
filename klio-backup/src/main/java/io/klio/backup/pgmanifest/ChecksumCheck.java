package io.klio.backup.pgmanifest;

import io.klio.backup.pgmanifest.BackupManifestVerifier.Finding;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Kind;
import io.klio.backup.pgmanifest.ParsedManifest.ManifestEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * pg_verifybackup's {@code verify_file_checksum}: reads the file in 128 KiB pieces, checks that it
 * read as many bytes as the manifest says, then compares the digest's length and bytes.
 */
final class ChecksumCheck {

  private final List<Finding> findings;
  private final byte[] buffer = new byte[ChecksumCalculator.READ_CHUNK];

  ChecksumCheck(List<Finding> findings) {
    this.findings = findings;
  }

  /** Verifies one file; returns the bytes read. */
  long verify(ManifestEntry e, Path file) {
    String rel = e.path();
    ChecksumCalculator c = ChecksumCalculator.start(e.algorithm());
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        c.update(buffer, 0, n);
      }
    } catch (IOException ex) {
      report(Kind.UNREADABLE, rel, "could not read file \"" + rel + "\": " + IoReason.of(ex));
      return c.bytes();
    }
    long read = c.bytes();
    if (read != e.size()) {
      report(
          Kind.SIZE_MISMATCH,
          rel,
          "file \""
              + rel
              + "\" should contain "
              + Long.toUnsignedString(e.size())
              + " bytes, but read "
              + read);
      return read;
    }
    byte[] actual = c.finish().rawBytes();
    if (actual.length != e.checksum().length) {
      report(
          Kind.CHECKSUM_MISMATCH,
          rel,
          "file \""
              + rel
              + "\" has checksum of length "
              + e.checksum().length
              + ", but expected "
              + actual.length);
    } else if (!MessageDigest.isEqual(actual, e.checksum())) {
      report(Kind.CHECKSUM_MISMATCH, rel, "checksum mismatch for file \"" + rel + "\"");
    }
    return read;
  }

  private void report(Kind kind, String rel, String message) {
    findings.add(new Finding(kind, Optional.of(rel), message));
  }
}
