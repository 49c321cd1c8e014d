package io.klio.walstream.protocol;

import io.klio.walstream.protocol.BackendMessage.*;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads backend messages from a stream: one tag byte, a 4-byte length, the body. Every message
 * decodes in {@link #decode}, with one switch that rejects unknown tags. Not thread-safe: one
 * reader thread owns a decoder.
 */
public final class BackendDecoder {

  /** PostgreSQL's own limit on an allocation (MaxAllocSize), and ours on a message. */
  public static final int MAX_MESSAGE = (1 << 30) - 1;

  private static final int DIRECT_READ_LIMIT = 1 << 20;

  private final InputStream in;

  public BackendDecoder(InputStream in) {
    this.in = in;
  }

  /**
   * Reads the next message.
   *
   * @throws EOFException when the server closed the connection
   * @throws ProtocolException when the bytes are not a valid message
   */
  public BackendMessage next() throws IOException {
    int tag = in.read();
    if (tag < 0) {
      throw new EOFException("the server closed the connection");
    }
    int length = readInt();
    if (length < 4 || length > MAX_MESSAGE) {
      throw new ProtocolException("message '" + (char) tag + "' has an invalid length " + length);
    }
    byte[] body = readBody(length - 4);
    if (tag == 'd') {
      return new CopyData(body); // the body is ours alone: no copy (WAL arrives in CopyData)
    }
    return decode((char) tag, body);
  }

  /** True when a whole message may be read without blocking on the network. */
  public boolean hasBuffered() throws IOException {
    return in.available() > 0;
  }

  private int readInt() throws IOException {
    int a = in.read();
    int b = in.read();
    int c = in.read();
    int d = in.read();
    if ((a | b | c | d) < 0) {
      throw new EOFException("the server closed the connection in a message header");
    }
    return a << 24 | b << 16 | c << 8 | d;
  }

  /** Reads the body; large bodies grow as data arrives so a lying length cannot force an OOM. */
  private byte[] readBody(int n) throws IOException {
    if (n <= DIRECT_READ_LIMIT) {
      byte[] b = new byte[n];
      readFully(b, 0, n);
      return b;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(DIRECT_READ_LIMIT);
    byte[] chunk = new byte[1 << 16];
    for (int left = n; left > 0; ) {
      int r = in.read(chunk, 0, Math.min(chunk.length, left));
      if (r < 0) {
        throw new EOFException("the server closed the connection inside a message");
      }
      out.write(chunk, 0, r);
      left -= r;
    }
    return out.toByteArray();
  }

  private void readFully(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int r = in.read(b, off, len);
      if (r < 0) {
        throw new EOFException("the server closed the connection inside a message");
      }
      off += r;
      len -= r;
    }
  }

  /** Decodes one message body. */
  public static BackendMessage decode(char tag, byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(tag, body);
    BackendMessage m =
        switch (tag) {
          case 'R' -> authentication(r);
          case 'S' -> new ParameterStatus(r.cstring(), r.cstring());
          case 'K' -> new BackendKeyData(r.int32(), r.rest());
          case 'Z' -> new ReadyForQuery((char) r.int8());
          case 'E' -> new ErrorResponse(fields(r));
          case 'N' -> new NoticeResponse(fields(r));
          case 'T' -> rowDescription(r);
          case 'D' -> dataRow(r);
          case 'C' -> new CommandComplete(r.cstring());
          case 'I' -> new EmptyQueryResponse();
          case 'W' -> new CopyBothResponse(r.int8(), formats(r));
          case 'H' -> new CopyOutResponse(r.int8(), formats(r));
          case 'G' -> new CopyInResponse(r.int8(), formats(r));
          case 'd' -> new CopyData(r.rest());
          case 'c' -> new CopyDone();
          case 'v' -> negotiate(r);
          case 'A' -> new NotificationResponse(r.int32(), r.cstring(), r.cstring());
          default ->
              throw new ProtocolException(
                  "unknown message tag 0x" + Integer.toHexString(tag & 0xFF));
        };
    r.end();
    return m;
  }

  private static Authentication authentication(MessageReader r) throws ProtocolException {
    int code = r.int32();
    return switch (code) {
      case 0 -> new AuthenticationOk();
      case 3 -> new AuthenticationCleartextPassword();
      case 5 -> new AuthenticationMd5Password(r.bytes(4));
      case 10 -> {
        List<String> mechanisms = new ArrayList<>();
        for (String m; !(m = r.cstring()).isEmpty(); ) {
          mechanisms.add(m);
        }
        yield new AuthenticationSasl(mechanisms);
      }
      case 11 -> new AuthenticationSaslContinue(r.rest());
      case 12 -> new AuthenticationSaslFinal(r.rest());
      default -> {
        r.rest();
        yield new AuthenticationOther(code);
      }
    };
  }

  private static Map<Character, String> fields(MessageReader r) throws ProtocolException {
    Map<Character, String> f = new LinkedHashMap<>();
    for (byte code; (code = r.int8()) != 0; ) {
      f.put((char) code, r.cstring());
    }
    return f;
  }

  private static RowDescription rowDescription(MessageReader r) throws ProtocolException {
    int n = r.int16();
    if (n < 0 || n > r.remaining() / 19) {
      throw new ProtocolException("row description announces " + n + " columns");
    }
    List<Column> cols = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      cols.add(
          new Column(
              r.cstring(), r.int32(), r.int16(), r.int32(), r.int16(), r.int32(), r.int16()));
    }
    return new RowDescription(cols);
  }

  private static DataRow dataRow(MessageReader r) throws ProtocolException {
    int n = r.int16();
    if (n < 0 || n > r.remaining() / 4) {
      throw new ProtocolException("data row announces " + n + " values");
    }
    List<Optional<byte[]>> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = r.int32();
      values.add(len == -1 ? Optional.empty() : Optional.of(r.bytes(len)));
    }
    return new DataRow(values);
  }

  private static List<Short> formats(MessageReader r) throws ProtocolException {
    int n = r.int16();
    if (n < 0 || n > r.remaining() / 2) {
      throw new ProtocolException("copy response announces " + n + " columns");
    }
    List<Short> f = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      f.add(r.int16());
    }
    return f;
  }

  private static NegotiateProtocolVersion negotiate(MessageReader r) throws ProtocolException {
    int minor = r.int32();
    int n = r.int32();
    if (n < 0 || n > r.remaining()) {
      throw new ProtocolException("protocol negotiation announces " + n + " options");
    }
    List<String> opts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      opts.add(r.cstring());
    }
    return new NegotiateProtocolVersion(minor, opts);
  }
}
