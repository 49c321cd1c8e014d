package io.klio.api.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * An InputStream written in terms of {@link #read(byte[], int, int)} only: the single-byte {@link
 * #read()} delegates to it.
 */
public abstract class BulkInputStream extends InputStream {

  @Override
  public final int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public abstract int read(byte[] b, int off, int len) throws IOException;
}
