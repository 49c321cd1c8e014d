package io.klio.storage.s3;

import io.klio.api.error.KlioException;
import io.klio.api.error.RetryableException;
import io.klio.api.format.CorruptObjectException;
import io.klio.api.io.BulkInputStream;
import io.klio.storage.BlobKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import software.amazon.awssdk.core.ResponseInputStream;

/**
 * The body of a GET: counts the bytes against the response's length and, for a whole object, checks
 * them against {@link ObjectMeta.Check} when the stream reaches its end; a mismatch is a {@link
 * CorruptObjectException} naming the key and the store. A read failure of the connection is a
 * {@link RetryableException}. Closed before its end, the connection is dropped rather than drained.
 * Not thread-safe, like any stream.
 */
final class S3InputStream extends BulkInputStream {

  private final ResponseInputStream<?> in;
  private final long length;
  private final ObjectMeta.Check check;
  private final BlobKey key;
  private final String store;
  private final MessageDigest digest;
  private final ByteArrayOutputStream partDigests = new ByteArrayOutputStream();
  private long read;
  private long inPart;
  private int parts;
  private boolean eof;

  S3InputStream(
      ResponseInputStream<?> in, long length, ObjectMeta.Check check, BlobKey key, String store) {
    this.in = in;
    this.length = length;
    this.check = check;
    this.key = key;
    this.store = store;
    this.digest = check instanceof ObjectMeta.None ? null : newMd5();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (eof) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n;
    try {
      n = in.read(b, off, len);
    } catch (KlioException e) {
      throw e;
    } catch (IOException e) {
      throw new RetryableException(
          "reading '" + key + "' from " + store + " failed after " + read + " bytes: " + e, e);
    }
    if (n < 0) {
      eof = true;
      verify();
      return -1;
    }
    read += n;
    if (digest != null) {
      update(b, off, n);
    }
    return n;
  }

  private void update(byte[] b, int off, int n) {
    if (!(check instanceof ObjectMeta.PartsMd5 p)) {
      digest.update(b, off, n);
      return;
    }
    while (n > 0) {
      int take = (int) Math.min(n, p.partSize() - inPart);
      digest.update(b, off, take);
      inPart += take;
      off += take;
      n -= take;
      if (inPart == p.partSize()) {
        endPart();
      }
    }
  }

  private void endPart() {
    partDigests.writeBytes(digest.digest());
    parts++;
    inPart = 0;
  }

  private void verify() throws IOException {
    if (length >= 0 && read != length) {
      throw new RetryableException(
          "reading '"
              + key
              + "' from "
              + store
              + " ended after "
              + read
              + " of its "
              + length
              + " bytes; read it again");
    }
    String expected;
    String actual;
    if (check instanceof ObjectMeta.WholeMd5 m) {
      expected = m.base64();
      actual = Base64.getEncoder().encodeToString(digest.digest());
    } else if (check instanceof ObjectMeta.PartsMd5 p) {
      if (inPart > 0 || parts == 0) {
        endPart();
      }
      expected = p.etag();
      actual = HexFormat.of().formatHex(newMd5().digest(partDigests.toByteArray())) + "-" + parts;
    } else {
      return;
    }
    if (!expected.equals(actual)) {
      throw new CorruptObjectException(
          "object '"
              + key
              + "' in "
              + store
              + " does not match the checksum it was written with (expected "
              + expected
              + ", read "
              + actual
              + "): it was damaged in the store or on the way");
    }
  }

  @Override
  public void close() throws IOException {
    if (!eof) {
      in.abort();
    }
    in.close();
  }

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
