package io.klio.server.wal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.client.wire.WalSocketProtocol;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WAL socket connection's stream, after TLS and the preamble: reads frames and passes their
 * messages to the session; what the session sends back is written to the socket. The session's flow
 * control is kept: a message is read only when the session asked for one. The reader is the
 * connection's own thread ({@link #run}); the session writes acknowledgements from the thread that
 * made them durable, under this object's lock.
 */
final class WalSocketConnection extends ServerCallStreamObserver<StreamResponse> {

  private static final Logger LOG = LoggerFactory.getLogger(WalSocketConnection.class);

  private final Socket socket;
  private final OutputStream out;
  private final String peer;
  private final InputStream raw; // the plain socket's: what TLS has not read yet
  private final Metrics metrics;
  private final Semaphore permits = new Semaphore(0);
  private volatile Runnable onCancel = () -> {};
  private volatile boolean cancelled;
  private boolean ended; // guarded by this: the session completed or failed the stream

  WalSocketConnection(
      Socket socket, OutputStream out, String peer, InputStream raw, Metrics metrics) {
    this.socket = socket;
    this.out = out;
    this.peer = peer;
    this.raw = raw;
    this.metrics = metrics;
  }

  /** Reads the stream after its preamble from {@code in}, until it ends. */
  void run(StreamRegistry streams, DataInputStream in) {
    StreamSession session = streams.newSession(this, true);
    try {
      while (true) {
        permits.acquire();
        if (isEnded()) {
          drain(in);
          return;
        }
        WalSocketProtocol.Frame f = WalSocketProtocol.read(in, peer);
        switch (f.type()) {
          case WalSocketProtocol.MESSAGE ->
              // when more has arrived behind this message, a flush it asks for waits for the
              // next message, so that one fsync answers both (a group of commits)
              session.onNext(
                  StreamRequest.parseFrom(f.payload()), in.available() > 0 || raw.available() > 0);
          case WalSocketProtocol.DONE -> {
            session.onCompleted();
            drain(in);
            return;
          }
          default ->
              throw new WalSocketProtocol.ProtocolException(
                  "WAL socket: "
                      + peer
                      + " sent a frame of unknown type "
                      + (f.type() & 0xff)
                      + ": not a Klio WAL socket client, or a newer one");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel(session, e);
    } catch (InvalidProtocolBufferException e) {
      cancel(session, e);
      fail(
          Status.INVALID_ARGUMENT.withDescription(
              "WAL socket: a message from " + peer + " does not parse: " + e.getMessage()));
    } catch (EOFException | SocketException e) {
      cancel(session, e); // the client went away (or the session closed the socket)
    } catch (IOException e) {
      cancel(session, e);
      if (!isEnded()) {
        metrics.error();
        LOG.warn("{}", e.getMessage());
        fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      }
    }
  }

  /**
   * After the stream's end: reads (and drops) what the client still sends until it closes the
   * connection, so that closing does not reset a connection whose last frames the client has yet to
   * read.
   */
  private void drain(DataInputStream in) {
    try {
      socket.setSoTimeout(10_000);
      while (in.read() >= 0) {
        // nothing more is expected
      }
    } catch (IOException closed) {
      // closed, or the client did not close within the time
    }
  }

  private void cancel(StreamSession session, Exception why) {
    if (!isEnded()) {
      cancelled = true;
      onCancel.run();
      session.onError(why);
    }
  }

  private synchronized boolean isEnded() {
    return ended;
  }

  private synchronized void fail(Status s) {
    if (!ended) {
      ended = true;
      writeQuietly(WalSocketProtocol.errorFrame(s));
      shutdownOutput();
      permits.release(); // a reader waiting for a permit sees the end
    }
  }

  /** The stream's last frame is written: the client reads it, then closes the connection. */
  private void shutdownOutput() {
    try {
      socket.shutdownOutput();
    } catch (IOException | UnsupportedOperationException e) {
      WalSocketProtocol.closeQuietly(socket);
    }
  }

  private void writeQuietly(byte[] frame) {
    try {
      WalSocketProtocol.write(out, frame);
    } catch (IOException e) {
      WalSocketProtocol.closeQuietly(socket); // the reader sees it and cancels the session
    }
  }

  @Override
  public synchronized void onNext(StreamResponse value) {
    if (!ended) {
      writeQuietly(WalSocketProtocol.frame(WalSocketProtocol.ACK, value));
    }
  }

  @Override
  public void onError(Throwable t) {
    Status s = t instanceof StatusRuntimeException e ? e.getStatus() : Status.fromThrowable(t);
    fail(s);
  }

  @Override
  public synchronized void onCompleted() {
    if (!ended) {
      ended = true;
      writeQuietly(WalSocketProtocol.frame(WalSocketProtocol.COMPLETED));
      shutdownOutput();
      permits.release(); // a reader waiting for a permit sees the end
    }
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public void setOnCancelHandler(Runnable onCancelHandler) {
    this.onCancel = onCancelHandler;
  }

  @Override
  public void setCompression(String compression) {}

  @Override
  public boolean isReady() {
    return true; // writes block when the client does not read
  }

  @Override
  public void setOnReadyHandler(Runnable onReadyHandler) {}

  @Override
  public void disableAutoInboundFlowControl() {}

  @Override
  public void disableAutoRequest() {}

  @Override
  public void request(int count) {
    permits.release(count);
  }

  @Override
  public void setMessageCompression(boolean enable) {}
}
