package io.klio.walstream.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Reads the fields of one message body, failing cleanly on truncation. */
final class MessageReader {

  private final ByteBuffer buf;
  private final char tag;

  MessageReader(char tag, byte[] body) {
    this.tag = tag;
    this.buf = ByteBuffer.wrap(body);
  }

  byte int8() throws ProtocolException {
    need(1);
    return buf.get();
  }

  short int16() throws ProtocolException {
    need(2);
    return buf.getShort();
  }

  int int32() throws ProtocolException {
    need(4);
    return buf.getInt();
  }

  long int64() throws ProtocolException {
    need(8);
    return buf.getLong();
  }

  byte[] bytes(int n) throws ProtocolException {
    if (n < 0) {
      throw new ProtocolException("negative field length " + n + " in message '" + tag + "'");
    }
    need(n);
    byte[] b = new byte[n];
    buf.get(b);
    return b;
  }

  byte[] rest() {
    byte[] b = new byte[buf.remaining()];
    buf.get(b);
    return b;
  }

  int position() {
    return buf.position();
  }

  int remaining() {
    return buf.remaining();
  }

  /** A NUL-terminated UTF-8 string. */
  String cstring() throws ProtocolException {
    int start = buf.position();
    for (int i = start; i < buf.limit(); i++) {
      if (buf.get(i) == 0) {
        String s = new String(buf.array(), start, i - start, StandardCharsets.UTF_8);
        buf.position(i + 1);
        return s;
      }
    }
    throw new ProtocolException("unterminated string in message '" + tag + "'");
  }

  void end() throws ProtocolException {
    if (buf.hasRemaining()) {
      throw new ProtocolException(
          buf.remaining() + " unexpected trailing bytes in message '" + tag + "'");
    }
  }

  private void need(int n) throws ProtocolException {
    if (buf.remaining() < n) {
      throw new ProtocolException(
          "message '"
              + tag
              + "' is truncated: needed "
              + n
              + " more bytes, "
              + buf.remaining()
              + " left");
    }
  }
}
