package io.klio.client.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.grpc.Status;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The WAL socket (docs/grpc-api.md, "The WAL socket"): the WAL service's Stream call without
 * HTTP/2, for synchronous clients, whose every commit waits for a round trip. One TLS connection
 * (the same certificates as gRPC, client certificate required) carries the same {@code
 * StreamRequest} and {@code StreamResponse} messages, each in a frame: one type byte, the payload's
 * length (4 bytes, big-endian), the payload. The client starts with {@link #PREAMBLE}.
 *
 * <p>Shared by the two sides: the client ({@code io.klio.client}) and the Klio server, which
 * depends on this module for it. Not an API for applications: they stream through {@code
 * KlioConnection}. Stateless and thread-safe; {@link Deadline}s run on one daemon timer thread.
 */
public final class WalSocketProtocol {

  /** What a client sends first: the protocol and its version. */
  public static final byte[] PREAMBLE = {'K', 'L', 'W', 'S', 0, 0, 0, 1};

  /** Client to server: a {@code StreamRequest}. */
  public static final byte MESSAGE = 'M';

  /** Client to server: no more messages (the stream's half-close); no payload. */
  public static final byte DONE = 'D';

  /** Server to client: a {@code StreamResponse}. */
  public static final byte ACK = 'A';

  /** Server to client: the stream failed; a gRPC status code (4 bytes), then its description. */
  public static final byte ERROR = 'E';

  /** Server to client: the stream ended after everything was acknowledged; no payload. */
  public static final byte COMPLETED = 'C';

  /** The largest payload accepted (as the gRPC server's largest message). */
  public static final int MAX_PAYLOAD = 16 << 20;

  private WalSocketProtocol() {}

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "klio-wal-socket-timer");
            t.setDaemon(true);
            return t;
          });

  /**
   * A time limit for connecting, the TLS handshake and the preamble: the socket is closed when it
   * passes, which fails whatever waits on it. Not a socket timeout: a timed connect or read turns
   * the JDK's socket non-blocking for good, and every later read then costs a failed read and a
   * poll before the one that blocks.
   */
  public static final class Deadline {
    private final ScheduledFuture<?> task;

    private Deadline(ScheduledFuture<?> task) {
      this.task = task;
    }

    /** Starts the limit for {@code s}. */
    public static Deadline of(Socket s, long seconds) {
      return new Deadline(TIMER.schedule(() -> closeQuietly(s), seconds, TimeUnit.SECONDS));
    }

    /** Ends the limit; whether it was met (the socket was not closed for it). */
    public boolean end() {
      return task.cancel(false) || task.isCancelled();
    }

    /** Whether the limit passed and closed the socket. */
    public boolean expired() {
      return task.isDone() && !task.isCancelled();
    }
  }

  /** Closes, ignoring failures: the socket is given up anyway. */
  public static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /**
   * The peer broke the protocol (a wrong preamble, an oversized or unknown frame): the server
   * answers with an {@link #ERROR} frame naming it before it closes the connection.
   */
  public static final class ProtocolException extends IOException {
    public ProtocolException(String message) {
      super(message);
    }
  }

  /** A received frame. */
  public record Frame(byte type, byte[] payload) {}

  /**
   * Reads one frame; an {@link EOFException} when the connection ends before one starts.
   *
   * @param peer names the other side in error messages
   */
  public static Frame read(DataInputStream in, String peer) throws IOException {
    byte type = in.readByte();
    int length = in.readInt();
    if (length < 0 || length > MAX_PAYLOAD) {
      throw new ProtocolException(
          "WAL socket: "
              + peer
              + " sent a frame of "
              + Integer.toUnsignedString(length)
              + " bytes (at most "
              + MAX_PAYLOAD
              + "): not a Klio WAL socket peer, or a broken one");
    }
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(type, payload);
  }

  /** A frame holding {@code m}, as one array (so it goes out as one write, one TLS record). */
  public static byte[] frame(byte type, MessageLite m) {
    int size = m.getSerializedSize();
    byte[] f = new byte[5 + size];
    header(f, type, size);
    try {
      CodedOutputStream c = CodedOutputStream.newInstance(f, 5, size);
      m.writeTo(c);
      c.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a " + m.getClass().getSimpleName(), e);
    }
    return f;
  }

  /** A frame without payload. */
  public static byte[] frame(byte type) {
    byte[] f = new byte[5];
    header(f, type, 0);
    return f;
  }

  /** An {@link #ERROR} frame for {@code s}. */
  public static byte[] errorFrame(Status s) {
    byte[] text =
        (s.getDescription() == null ? "" : s.getDescription()).getBytes(StandardCharsets.UTF_8);
    byte[] f = new byte[5 + 4 + text.length];
    header(f, ERROR, 4 + text.length);
    ByteBuffer.wrap(f, 5, 4).putInt(s.getCode().value());
    System.arraycopy(text, 0, f, 9, text.length);
    return f;
  }

  /** The status an {@link #ERROR} frame's payload holds. */
  public static Status status(byte[] payload) {
    if (payload.length < 4) {
      return Status.INTERNAL.withDescription("a malformed error frame from the Klio server");
    }
    int code = ByteBuffer.wrap(payload, 0, 4).getInt();
    String text = new String(payload, 4, payload.length - 4, StandardCharsets.UTF_8);
    return Status.fromCodeValue(code).withDescription(text.isEmpty() ? null : text);
  }

  /** Reads and checks the client's {@link #PREAMBLE}. */
  public static void readPreamble(DataInputStream in, String peer) throws IOException {
    byte[] p = new byte[PREAMBLE.length];
    in.readFully(p);
    if (!Arrays.equals(p, PREAMBLE)) {
      boolean ours = p[0] == 'K' && p[1] == 'L' && p[2] == 'W' && p[3] == 'S';
      throw new ProtocolException(
          ours
              ? "WAL socket: "
                  + peer
                  + " speaks version "
                  + ByteBuffer.wrap(p, 4, 4).getInt()
                  + " of the protocol; this server speaks 1 (upgrade the server)"
              : "WAL socket: " + peer + " is not a Klio WAL socket client (wrong preamble)");
    }
  }

  /** Writes a frame and flushes. */
  public static void write(OutputStream out, byte[] frame) throws IOException {
    out.write(frame);
    out.flush();
  }

  private static void header(byte[] f, byte type, int length) {
    f[0] = type;
    ByteBuffer.wrap(f, 1, 4).putInt(length);
  }
}
