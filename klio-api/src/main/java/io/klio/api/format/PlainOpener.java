package io.klio.api.format;

import io.klio.api.io.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads the payload of an unencrypted object, holding back the last 8 bytes (the trailer) and
 * checking length and CRC-32C when the end is reached.
 */
final class PlainOpener extends BulkInputStream {

  private final String key;
  private final InputStream in;
  private final long expected;
  private final CRC32C crc = new CRC32C();
  private final byte[] tail = new byte[8];
  private int tailLen;
  private long count;
  private boolean done;

  PlainOpener(String key, InputStream in, long expected) {
    this.key = key;
    this.in = in;
    this.expected = expected;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (done) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    // keep 8 bytes in hand: they may be the trailer
    while (tailLen < 8) {
      int n = in.read(tail, tailLen, 8 - tailLen);
      if (n < 0) {
        throw new CorruptObjectException(
            "object '" + key + "' is truncated: its trailer is missing");
      }
      tailLen += n;
    }
    byte[] buf = new byte[Math.max(len, 8) + 8];
    System.arraycopy(tail, 0, buf, 0, 8);
    int n = in.read(buf, 8, len);
    if (n < 0) {
      verify();
      done = true;
      return -1;
    }
    // the first n bytes go out, the last 8 stay as the new tail
    System.arraycopy(buf, 0, b, off, n);
    System.arraycopy(buf, n, tail, 0, 8);
    crc.update(b, off, n);
    count += n;
    return n;
  }

  private void verify() throws IOException {
    ByteBuffer t = ByteBuffer.wrap(tail);
    int len = t.getInt();
    int sum = t.getInt();
    boolean lengthOk = len == -1 ? count >= 0xFFFFFFFFL : (len & 0xFFFFFFFFL) == count;
    if (!lengthOk || sum != (int) crc.getValue() || (expected >= 0 && expected != count)) {
      throw new CorruptObjectException(
          "object '"
              + key
              + "' failed its integrity check (length or CRC-32C): it is corrupted or truncated");
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
