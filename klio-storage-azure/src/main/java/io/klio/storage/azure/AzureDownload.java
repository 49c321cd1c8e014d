package io.klio.storage.azure;

import com.azure.storage.blob.models.BlobDownloadAsyncResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DownloadRetryOptions;
import io.klio.api.error.PermanentException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobRanges;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads: one GET per read, its body streamed with backpressure (the JDK HttpClient reads the socket
 * only as the caller reads the stream, a few buffers ahead), so a read is one version of the object
 * even while another put replaces it, and costs one request however large the object. A dropped
 * connection mid-body is resumed by the SDK from where it broke, pinned to the first response's
 * ETag. A whole-object read checks the MD5 of what it read against the object's Content-MD5
 * property at the end of the stream; ranged reads are not checked here (Klio checks its own
 * objects' integrity on every read).
 */
final class AzureDownload {

  /** Buffers of the response body that may wait between the socket and the caller. */
  private static final int PREFETCH = 8;

  private AzureDownload() {}

  static InputStream open(
      AzureStoreContext ctx, BlobKey key, long offset, long length, StatSource stat)
      throws IOException {
    boolean whole = offset == 0 && length == Long.MAX_VALUE;
    if (length == 0) {
      return empty(ctx, key, offset, stat);
    }
    BlobRange range =
        whole ? null : new BlobRange(offset, length == Long.MAX_VALUE ? null : length);
    BlobDownloadAsyncResponse r;
    try {
      r =
          ctx.asyncBlob(key)
              .downloadStreamWithResponse(
                  range, new DownloadRetryOptions().setMaxRetryRequests(3), null, false)
              .block();
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 416 || BlobErrorCode.INVALID_RANGE.equals(e.getErrorCode())) {
        return empty(ctx, key, offset, stat);
      }
      throw ctx.errors().classify(e, "read", key);
    } catch (RuntimeException e) {
      throw ctx.errors().classify(e, "read", key);
    }
    byte[] expected = whole ? r.getDeserializedHeaders().getContentMd5() : null;
    Stream<ByteBuffer> body = r.getValue().toStream(PREFETCH);
    return new Checked(body, ctx, key, expected);
  }

  /** The stat of a key, for the reads that have to know the size. */
  @FunctionalInterface
  interface StatSource {
    Optional<BlobInfo> stat(BlobKey key) throws IOException;
  }

  /** An empty range: at the end of the object, or of length 0; beyond the end is an error. */
  private static InputStream empty(AzureStoreContext ctx, BlobKey key, long offset, StatSource stat)
      throws IOException {
    BlobInfo info = stat.stat(key).orElseThrow(() -> new BlobNotFoundException(key, describe(ctx)));
    BlobRanges.checkOffset(key, offset, info.size(), describe(ctx));
    return InputStream.nullInputStream();
  }

  private static String describe(AzureStoreContext ctx) {
    return ctx.config().describe();
  }

  /** The body as a stream: classifies read failures, checks the whole object's MD5 at its end. */
  private static final class Checked extends InputStream {
    private final Stream<ByteBuffer> body;
    private final Iterator<ByteBuffer> buffers;
    private final AzureStoreContext ctx;
    private final BlobKey key;
    private final byte[] expected;
    private final MessageDigest md5;
    private ByteBuffer current = ByteBuffer.allocate(0);
    private boolean ended;
    private boolean closed;

    Checked(Stream<ByteBuffer> body, AzureStoreContext ctx, BlobKey key, byte[] expected) {
      this.body = body;
      this.buffers = body.iterator();
      this.ctx = ctx;
      this.key = key;
      this.expected = expected;
      this.md5 = expected == null ? null : BlockUpload.md5();
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (closed) {
        throw new IOException("stream of '" + key + "' is closed");
      }
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, current.remaining());
      current.get(b, off, n);
      if (md5 != null) {
        md5.update(b, off, n);
      }
      return n;
    }

    /** True when {@code current} has bytes; false at the end of the body (after its check). */
    private boolean fill() throws IOException {
      while (!current.hasRemaining()) {
        if (ended) {
          return false;
        }
        boolean more;
        try {
          more = buffers.hasNext();
          if (more) {
            current = buffers.next();
          }
        } catch (RuntimeException e) {
          throw ctx.errors().classify(e, "read", key);
        }
        if (!more) {
          ended = true;
          if (md5 != null) {
            verify();
          }
          return false;
        }
      }
      return true;
    }

    @Override
    public int available() {
      return current.remaining();
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        body.close(); // cancels the response if it was not read to its end
      }
    }

    private void verify() throws PermanentException {
      byte[] got = md5.digest();
      if (!Arrays.equals(got, expected)) {
        throw new PermanentException(
            "object '"
                + key
                + "' in "
                + describe(ctx)
                + " failed its MD5 check: the object's Content-MD5 is "
                + Base64.getEncoder().encodeToString(expected)
                + ", the bytes read hash to "
                + Base64.getEncoder().encodeToString(got)
                + "; the stored object or the transfer is corrupt");
      }
    }
  }
}
