package io.klio.walstream.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Messages the client sends. Each is a small immutable value that encodes itself to the exact bytes
 * of the frontend/backend protocol version 3.0.
 */
public sealed interface FrontendMessage {

  /** The complete bytes on the wire, tag and length included. */
  byte[] encode();

  /** The startup packet (no tag): protocol 3.0 and the connection parameters. */
  record Startup(Map<String, String> parameters) implements FrontendMessage {
    public Startup {
      parameters = Map.copyOf(parameters);
    }

    @Override
    public byte[] encode() {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      writeInt(body, 196608); // 3.0
      // a stable order makes the bytes reproducible
      new java.util.TreeMap<>(parameters)
          .forEach(
              (k, v) -> {
                cstring(body, k);
                cstring(body, v);
              });
      body.write(0);
      return untagged(body.toByteArray());
    }
  }

  /** Asks the server whether it will speak TLS (no tag). */
  record SslRequest() implements FrontendMessage {
    public static final SslRequest INSTANCE = new SslRequest();

    @Override
    public byte[] encode() {
      return ByteBuffer.allocate(8).putInt(8).putInt(80877103).array();
    }
  }

  /** A cleartext or MD5-hashed password ('p'). */
  record Password(String password) implements FrontendMessage {
    @Override
    public byte[] encode() {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      cstring(body, password);
      return tagged('p', body.toByteArray());
    }

    @Override
    public String toString() {
      return "Password[***]";
    }
  }

  /** The first SASL message ('p'): the chosen mechanism and the client-first-message. */
  record SaslInitialResponse(String mechanism, byte[] data) implements FrontendMessage {
    @Override
    public byte[] encode() {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      cstring(body, mechanism);
      writeInt(body, data.length);
      body.writeBytes(data);
      return tagged('p', body.toByteArray());
    }
  }

  /** A later SASL message ('p'). */
  record SaslResponse(byte[] data) implements FrontendMessage {
    @Override
    public byte[] encode() {
      return tagged('p', data);
    }
  }

  /** A simple query ('Q'). */
  record Query(String sql) implements FrontendMessage {
    @Override
    public byte[] encode() {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      cstring(body, sql);
      return tagged('Q', body.toByteArray());
    }
  }

  /** Data inside COPY ('d'). */
  record CopyData(byte[] data) implements FrontendMessage {
    @Override
    public byte[] encode() {
      return tagged('d', data);
    }
  }

  /** Ends COPY from this side ('c'). */
  record CopyDone() implements FrontendMessage {
    public static final CopyDone INSTANCE = new CopyDone();

    @Override
    public byte[] encode() {
      return tagged('c', new byte[0]);
    }
  }

  /** Closes the session ('X'). */
  record Terminate() implements FrontendMessage {
    public static final Terminate INSTANCE = new Terminate();

    @Override
    public byte[] encode() {
      return tagged('X', new byte[0]);
    }
  }

  private static byte[] tagged(char tag, byte[] body) {
    return ByteBuffer.allocate(5 + body.length)
        .put((byte) tag)
        .putInt(4 + body.length)
        .put(body)
        .array();
  }

  private static byte[] untagged(byte[] body) {
    return ByteBuffer.allocate(4 + body.length).putInt(4 + body.length).put(body).array();
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  private static void cstring(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    for (byte x : b) {
      if (x == 0) {
        throw new IllegalArgumentException("a protocol string cannot contain NUL");
      }
    }
    out.writeBytes(b);
    out.write(0);
  }
}
