package io.klio.crypto;

import io.klio.api.io.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Turns Tink's push-style encrypting stream into an InputStream of sealed bytes: header, then
 * ciphertext produced as plaintext is pulled from the source. Buffers at most about one segment.
 */
final class PullEncryptor extends BulkInputStream {

  interface EncryptorFactory {
    OutputStream open(OutputStream sink) throws IOException;
  }

  private final InputStream source;
  private final Buffer buffer = new Buffer();
  private final OutputStream encrypting;
  private final byte[] chunk = new byte[64 * 1024];
  private boolean sourceDone;

  PullEncryptor(byte[] header, InputStream source, EncryptorFactory factory) throws IOException {
    this.source = source;
    buffer.write(header, 0, header.length);
    this.encrypting = factory.open(buffer);
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (buffer.available() == 0) {
      if (sourceDone) {
        return -1;
      }
      int n = source.read(chunk);
      if (n < 0) {
        sourceDone = true;
        encrypting.close(); // writes the final segment and its tag
      } else {
        encrypting.write(chunk, 0, n);
      }
    }
    return buffer.take(b, off, len);
  }

  /** A growable FIFO byte buffer. */
  private static final class Buffer extends OutputStream {
    private byte[] data = new byte[1 << 16];
    private int start;
    private int end;

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (end + len > data.length) {
        int live = end - start;
        byte[] next =
            live + len > data.length ? new byte[Math.max(data.length * 2, live + len)] : data;
        System.arraycopy(data, start, next, 0, live);
        data = next;
        start = 0;
        end = live;
      }
      System.arraycopy(b, off, data, end, len);
      end += len;
    }

    int available() {
      return end - start;
    }

    int take(byte[] b, int off, int len) {
      int n = Math.min(len, end - start);
      System.arraycopy(data, start, b, off, n);
      start += n;
      return n;
    }
  }
}
