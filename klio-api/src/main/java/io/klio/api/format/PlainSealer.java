package io.klio.api.format;

import io.klio.api.io.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Header, payload, then the 8-byte trailer: payload length (or FFFFFFFF) and CRC-32C. */
final class PlainSealer extends BulkInputStream {

  private final byte[] header;
  private final InputStream payload;
  private final CRC32C crc = new CRC32C();
  private int headerPos;
  private long count;
  private byte[] trailer;
  private int trailerPos;

  PlainSealer(byte[] header, InputStream payload) {
    this.header = header;
    this.payload = payload;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (headerPos < header.length) {
      int n = Math.min(len, header.length - headerPos);
      System.arraycopy(header, headerPos, b, off, n);
      headerPos += n;
      return n;
    }
    if (trailer == null) {
      int n = payload.read(b, off, len);
      if (n >= 0) {
        crc.update(b, off, n);
        count += n;
        return n;
      }
      trailer =
          ByteBuffer.allocate(8)
              .putInt(count < 0xFFFFFFFFL ? (int) count : -1)
              .putInt((int) crc.getValue())
              .array();
    }
    if (trailerPos == trailer.length) {
      return -1;
    }
    int n = Math.min(len, trailer.length - trailerPos);
    System.arraycopy(trailer, trailerPos, b, off, n);
    trailerPos += n;
    return n;
  }
}
