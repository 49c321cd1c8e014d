package io.klio.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Random;

/** Builds a data directory by hand: PostgreSQL's names and rules, no server. */
final class TestDataDirectory {

  static final long CATALOG = 202209061L;

  final Path data;
  final int major;
  private final Random random;

  TestDataDirectory(Path data, int major, long seed) {
    this.data = data;
    this.major = major;
    this.random = new Random(seed);
  }

  String versionDirectory() {
    return "PG_" + major + "_" + CATALOG;
  }

  /** PG_VERSION and a control file with the catalog version where PostgreSQL keeps it. */
  TestDataDirectory skeleton() {
    dir("", 0700);
    file("PG_VERSION", (major + "\n").getBytes(StandardCharsets.US_ASCII), 0600);
    byte[] control = new byte[8192];
    random.nextBytes(control);
    ByteBuffer.wrap(control).order(ByteOrder.nativeOrder()).putInt(12, (int) CATALOG);
    dir("global", 0700);
    file("global/pg_control", control, 0600);
    return this;
  }

  TestDataDirectory dir(String rel, int mode) {
    try {
      Path p = rel.isEmpty() ? data : data.resolve(rel);
      Files.createDirectories(p);
      Files.setPosixFilePermissions(p, Modes.permissions(mode));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  TestDataDirectory file(String rel, int size) {
    return file(rel, randomBytes(size), 0600);
  }

  TestDataDirectory file(String rel, byte[] content, int mode) {
    return fileAt(data.resolve(rel), content, mode);
  }

  TestDataDirectory fileAt(Path p, byte[] content, int mode) {
    try {
      Files.createDirectories(p.getParent());
      Files.write(p, content);
      Files.setPosixFilePermissions(p, Modes.permissions(mode));
      // a time with nanoseconds, so that restores must keep them
      Files.setLastModifiedTime(
          p,
          FileTime.from(
              Instant.ofEpochSecond(1_700_000_000L + random.nextInt(1_000_000), 123_456_789)));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] randomBytes(int size) {
    byte[] b = new byte[size];
    // PostgreSQL-like: pages half repetitive, half noise
    for (int page = 0; page * 8192 < size; page++) {
      int base = page * 8192;
      for (int i = 0; i < 4096 && base + i < size; i++) {
        b[base + i] = (byte) ("tuple|" + page).charAt(i % 6);
      }
      for (int i = 4096; i < 8192 && base + i < size; i++) {
        b[base + i] = (byte) random.nextInt();
      }
    }
    return b;
  }

  TestDataDirectory symlink(String rel, Path target) {
    try {
      Files.createDirectories(data.resolve(rel).getParent());
      Files.createSymbolicLink(data.resolve(rel), target);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void mkfifo(Path p) {
    try {
      Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
      if (proc.waitFor() != 0) {
        throw new IllegalStateException("mkfifo " + p + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String permissions(int mode) {
    return PosixFilePermissions.toString(Modes.permissions(mode));
  }
}
