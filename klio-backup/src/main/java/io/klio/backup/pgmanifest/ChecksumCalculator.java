package io.klio.backup.pgmanifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.zip.CRC32C;

/**
 * Computes a file's manifest checksum incrementally: feed it the bytes as they are read (in any
 * pieces), then {@link #finish()}. Counts the bytes too, so the caller has the manifest's {@code
 * Size} of exactly the bytes checksummed.
 *
 * <pre>{@code
 * ChecksumCalculator c = ChecksumCalculator.start(ChecksumAlgorithm.CRC32C);
 * while ((n = in.read(buf)) > 0) { c.update(buf, 0, n); sink.write(buf, 0, n); }
 * writer.addFile(path, c.bytes(), mtime, c.finish());
 * }</pre>
 *
 * <p>Not thread-safe; one instance per file. {@link #finish()} may be called once.
 */
public final class ChecksumCalculator {

  /** The read size pg_verifybackup uses, and {@link #of(Path, ChecksumAlgorithm)} too. */
  static final int READ_CHUNK = 128 * 1024;

  private final ChecksumAlgorithm algorithm;
  private final CRC32C crc;
  private final MessageDigest digest;
  private long bytes;
  private boolean finished;

  private ChecksumCalculator(ChecksumAlgorithm algorithm) {
    this.algorithm = algorithm;
    this.crc = algorithm == ChecksumAlgorithm.CRC32C ? new CRC32C() : null;
    this.digest =
        algorithm == ChecksumAlgorithm.NONE || algorithm == ChecksumAlgorithm.CRC32C
            ? null
            : algorithm.newDigest();
  }

  public static ChecksumCalculator start(ChecksumAlgorithm algorithm) {
    return new ChecksumCalculator(algorithm);
  }

  /**
   * Reads {@code file} to its end in 128 KiB pieces and returns its checksum.
   *
   * @throws IOException when the file cannot be read
   */
  public static Checksum of(Path file, ChecksumAlgorithm algorithm) throws IOException {
    ChecksumCalculator c = start(algorithm);
    byte[] buf = new byte[READ_CHUNK];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        c.update(buf, 0, n);
      }
    }
    return c.finish();
  }

  public void update(byte[] b, int off, int len) {
    checkOpen();
    if (crc != null) {
      crc.update(b, off, len);
    } else if (digest != null) {
      digest.update(b, off, len);
    } else {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
    }
    bytes += len;
  }

  public void update(byte[] b) {
    update(b, 0, b.length);
  }

  /** Consumes the buffer's remaining bytes. */
  public void update(ByteBuffer buffer) {
    checkOpen();
    int len = buffer.remaining();
    if (crc != null) {
      crc.update(buffer);
    } else if (digest != null) {
      digest.update(buffer);
    } else {
      buffer.position(buffer.limit());
    }
    bytes += len;
  }

  /** The number of bytes fed so far. */
  public long bytes() {
    return bytes;
  }

  public ChecksumAlgorithm algorithm() {
    return algorithm;
  }

  /** The checksum of every byte fed. */
  public Checksum finish() {
    checkOpen();
    finished = true;
    if (crc != null) {
      return Checksum.crc32c(crc.getValue());
    }
    if (digest != null) {
      return Checksum.of(algorithm, digest.digest());
    }
    return Checksum.none();
  }

  private void checkOpen() {
    if (finished) {
      throw new IllegalStateException("this checksum is already finished");
    }
  }
}
