package io.klio.backup.pgmanifest;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes a PostgreSQL-format {@code backup_manifest} as a stream, byte for byte in the layout the
 * server writes ({@code backup_manifest.c}): the version line (and the {@code System-Identifier}
 * line for version 2), one line per file, one line per WAL range, and the {@code Manifest-Checksum}
 * line, a SHA-256 of every byte before it, computed as the bytes go out.
 *
 * <p>Entries are written as they are added and not kept, so a cluster of any number of files is
 * written in constant memory. For the same reason the writer cannot notice a path added twice: the
 * caller must add each path once (pg_verifybackup refuses a manifest with a duplicate path).
 *
 * <p>Version 1 is what PostgreSQL 13 to 16 write and read; version 2 (PostgreSQL 17 and later) adds
 * the cluster's system identifier, which pg_verifybackup checks against {@code global/pg_control}.
 * {@link #forMajor} picks the one the server of that major writes.
 *
 * <p>Not thread-safe. The writer buffers its output and flushes it in {@link #finish}; it never
 * closes the caller's stream.
 */
public final class BackupManifestWriter {

  private final OutputStream out;
  private final MessageDigest sha256;
  private final ByteSink line = new ByteSink();
  private long bytesWritten;
  private long files;
  private boolean finished;

  private BackupManifestWriter(OutputStream out) {
    this.out = new BufferedOutputStream(Objects.requireNonNull(out, "out"), 64 * 1024);
    this.sha256 = ChecksumAlgorithm.SHA256.newDigest();
  }

  /** A version 1 manifest (PostgreSQL 13 to 16; every pg_verifybackup reads it). */
  public static BackupManifestWriter version1(OutputStream out) throws IOException {
    BackupManifestWriter w = new BackupManifestWriter(out);
    w.line.putAscii("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [");
    w.emit(true);
    return w;
  }

  /** A version 2 manifest (PostgreSQL 17 and later), naming the cluster's system identifier. */
  public static BackupManifestWriter version2(OutputStream out, SystemIdentifier systemIdentifier)
      throws IOException {
    Objects.requireNonNull(systemIdentifier, "systemIdentifier");
    BackupManifestWriter w = new BackupManifestWriter(out);
    w.line.putAscii(
        "{ \"PostgreSQL-Backup-Manifest-Version\": 2,\n\"System-Identifier\": "
            + systemIdentifier
            + ",\n\"Files\": [");
    w.emit(true);
    return w;
  }

  /**
   * The version the server of {@code pgMajor} writes: 1 for 15 and 16, 2 with the system identifier
   * for 17 and later.
   */
  public static BackupManifestWriter forMajor(
      int pgMajor, SystemIdentifier systemIdentifier, OutputStream out) throws IOException {
    if (pgMajor < 13) {
      throw new IllegalArgumentException(
          "PostgreSQL " + pgMajor + " has no backup manifests; they began with 13");
    }
    return pgMajor <= 16 ? version1(out) : version2(out, systemIdentifier);
  }

  /**
   * Adds a file, its path relative to the data directory with {@code /} separators (a tablespace's
   * files as {@code pg_tblspc/<oid>/...}). The path is written as UTF-8 in {@code Path}.
   *
   * @throws IllegalArgumentException when the path is empty, absolute, has empty, {@code .} or
   *     {@code ..} components, holds a NUL or an unpaired surrogate, or the size is negative
   */
  public void addFile(String path, long size, Instant lastModified, Checksum checksum)
      throws IOException {
    byte[] utf8;
    try {
      ByteBuffer b =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(java.nio.CharBuffer.wrap(path));
      utf8 = new byte[b.remaining()];
      b.get(utf8);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("path '" + path + "' cannot be encoded in UTF-8", e);
    }
    addFile(utf8, size, lastModified, checksum);
  }

  /**
   * Adds a file named by the raw bytes of its path (as the file system holds them). A path that is
   * valid UTF-8 is written in {@code Path}; any other in {@code Encoded-Path}, as hex, as the
   * server does.
   *
   * @throws IllegalArgumentException as {@link #addFile(String, long, Instant, Checksum)}
   */
  public void addFile(byte[] path, long size, Instant lastModified, Checksum checksum)
      throws IOException {
    checkOpen();
    checkPath(path);
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + show(path));
    }
    Objects.requireNonNull(lastModified, "lastModified");
    Objects.requireNonNull(checksum, "checksum");
    line.putAscii(files++ == 0 ? "\n" : ",\n");
    if (isUtf8(path)) {
      line.putAscii("{ \"Path\": ");
      escapeJson(path, line);
      line.putAscii(", ");
    } else {
      line.putAscii("{ \"Encoded-Path\": \"");
      Hex.encodeTo(path, line);
      line.putAscii("\", ");
    }
    line.putAscii(
        "\"Size\": " + size + ", \"Last-Modified\": \"" + lastModified(lastModified) + "\"");
    if (checksum.algorithm() != ChecksumAlgorithm.NONE) {
      line.putAscii(
          ", \"Checksum-Algorithm\": \""
              + checksum.algorithm().manifestName()
              + "\", \"Checksum\": \"");
      Hex.encodeTo(checksum.rawBytes(), line);
      line.putAscii("\"");
    }
    line.putAscii(" }");
    emit(true);
  }

  /**
   * Ends the list of files, writes the WAL ranges (newest timeline first, as {@link
   * WalRanges#compute} returns them) and the manifest checksum, and flushes. Nothing can be added
   * afterwards.
   *
   * @return the manifest checksum (SHA-256)
   * @throws IllegalArgumentException when {@code walRanges} is empty
   */
  public Checksum finish(List<WalRange> walRanges) throws IOException {
    checkOpen();
    if (walRanges.isEmpty()) {
      throw new IllegalArgumentException(
          "a backup manifest needs at least one WAL range: the WAL a restore must replay");
    }
    line.putAscii("\n],\n\"WAL-Ranges\": [\n");
    boolean first = true;
    for (WalRange r : walRanges) {
      line.putAscii(
          (first ? "" : ",\n")
              + "{ \"Timeline\": "
              + r.timeline().value()
              + ", \"Start-LSN\": \""
              + lsn(r.start())
              + "\", \"End-LSN\": \""
              + lsn(r.end())
              + "\" }");
      first = false;
    }
    line.putAscii("\n],\n");
    emit(true);
    finished = true;
    Checksum manifestChecksum = Checksum.of(ChecksumAlgorithm.SHA256, sha256.digest());
    line.putAscii("\"Manifest-Checksum\": \"" + manifestChecksum.hex() + "\"}\n");
    emit(false);
    out.flush();
    return manifestChecksum;
  }

  /** The bytes written so far (all of the manifest once {@link #finish} returned). */
  public long bytesWritten() {
    return bytesWritten;
  }

  /** The number of files added. */
  public long files() {
    return files;
  }

  private void emit(boolean checksummed) throws IOException {
    if (checksummed) {
      sha256.update(line.array(), 0, line.length());
    }
    out.write(line.array(), 0, line.length());
    bytesWritten += line.length();
    line.reset();
  }

  private void checkOpen() {
    if (finished) {
      throw new IllegalStateException("the manifest is finished; nothing can be added");
    }
  }

  /**
   * PostgreSQL's {@code escape_json}: {@code "}, {@code \} and the control characters {@code \b \f
   * \n \r \t} get their short escapes, other bytes below 0x20 {@code \}{@code u00xx} (lower-case
   * hex); every other byte, including {@code /}, DEL and all of UTF-8, is copied as it is.
   */
  static void escapeJson(byte[] text, ByteSink out) {
    out.put((byte) '"');
    for (byte b : text) {
      switch (b) {
        case '\b' -> out.putAscii("\\b");
        case '\f' -> out.putAscii("\\f");
        case '\n' -> out.putAscii("\\n");
        case '\r' -> out.putAscii("\\r");
        case '\t' -> out.putAscii("\\t");
        case '"' -> out.putAscii("\\\"");
        case '\\' -> out.putAscii("\\\\");
        default -> {
          if (b >= 0 && b < 0x20) {
            out.putAscii(String.format(Locale.ROOT, "\\u%04x", b));
          } else {
            out.put(b);
          }
        }
      }
    }
    out.put((byte) '"');
  }

  /** {@code %Y-%m-%d %H:%M:%S GMT} of the whole seconds, as the server's {@code pg_strftime}. */
  static String lastModified(Instant t) {
    LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    return String.format(
        Locale.ROOT,
        "%04d-%02d-%02d %02d:%02d:%02d GMT",
        d.getYear(),
        d.getMonthValue(),
        d.getDayOfMonth(),
        d.getHour(),
        d.getMinute(),
        d.getSecond());
  }

  /** {@code %X/%X}: upper-case hex halves without zero padding, as PostgreSQL 13 to 18 write. */
  static String lsn(Lsn lsn) {
    return lsn.toString();
  }

  /** Valid UTF-8 without NUL, as the server's {@code pg_verify_mbstr(PG_UTF8, ...)} accepts. */
  static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static void checkPath(byte[] path) {
    if (path.length == 0) {
      throw new IllegalArgumentException("empty path");
    }
    if (path[0] == '/') {
      throw new IllegalArgumentException(
          "path " + show(path) + " is absolute; give it relative to the data directory");
    }
    int start = 0;
    for (int i = 0; i <= path.length; i++) {
      if (i < path.length && path[i] == 0) {
        throw new IllegalArgumentException("path " + show(path) + " holds a NUL byte");
      }
      if (i == path.length || path[i] == '/') {
        int len = i - start;
        boolean dot = len == 1 && path[start] == '.';
        boolean dotdot = len == 2 && path[start] == '.' && path[start + 1] == '.';
        if (len == 0 || dot || dotdot) {
          throw new IllegalArgumentException(
              "path "
                  + show(path)
                  + " has an empty, '.' or '..' component; give a normalized relative path");
        }
        start = i + 1;
      }
    }
  }

  private static String show(byte[] path) {
    return "'" + new String(path, StandardCharsets.UTF_8) + "'";
  }
}
