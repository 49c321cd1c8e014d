package io.klio.client.internal;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.client.KlioClientOptions;
import io.klio.client.wire.WalSocketProtocol;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The client side of the WAL socket ({@link WalSocketProtocol}), a {@link WalTransport}: one
 * connection per stream. The caller's thread writes each message straight to the socket (no
 * hand-off to an event loop), and a thread of the connection's own reads the acknowledgements and
 * passes them to an observer, as the gRPC stream would. The socket stays blocking: its time limits
 * are {@link WalSocketProtocol.Deadline}s, not socket timeouts.
 */
final class WalSocket implements WalTransport, AutoCloseable {

  /** Opens WAL socket connections to the server the options name. */
  static final class Dialer {
    private final String host;
    private final Optional<SSLContext> tls;
    private final String serverName;

    Dialer(String host, Optional<SSLContext> tls, String serverName) {
      this.host = host;
      this.tls = tls;
      this.serverName = serverName;
    }

    /** With the TLS files of {@code o} (read now), to the host of its server. */
    static Dialer of(KlioClientOptions o) throws PermanentException {
      Optional<SSLContext> tls =
          o.tls().isPresent() ? Optional.of(ClientTls.context(o.tls().get())) : Optional.empty();
      return new Dialer(o.server().host(), tls, o.serverName());
    }

    /**
     * Why a connection broke right after the handshake: with TLS 1.3 the server checks the client
     * certificate after the client's handshake is done, and its alert is only read afterwards.
     */
    private static Optional<SSLException> refusal(Socket s) {
      if (s instanceof SSLSocket) {
        try {
          s.setSoTimeout(5_000);
          s.getInputStream().read();
        } catch (SSLException alert) {
          return Optional.of(alert);
        } catch (IOException other) {
          // no alert to read
        }
      }
      return Optional.empty();
    }

    String address(int port) {
      return host + ":" + port;
    }

    /**
     * Connects, does the TLS handshake (the server's certificate must name {@code serverName}), and
     * starts the thread that passes the server's frames to {@code acks}.
     *
     * @throws java.net.ConnectException and other socket errors when the port cannot be reached
     * @throws SSLException when TLS fails
     */
    WalSocket connect(int port, StreamObserver<StreamResponse> acks) throws IOException {
      Socket plain = new Socket();
      WalSocketProtocol.Deadline deadline = WalSocketProtocol.Deadline.of(plain, 30);
      try {
        plain.connect(new InetSocketAddress(host, port));
        plain.setTcpNoDelay(true);
        plain.setKeepAlive(true);
        Socket s = plain;
        if (tls.isPresent()) {
          SSLSocket ssl =
              (SSLSocket) tls.get().getSocketFactory().createSocket(plain, serverName, port, true);
          SSLParameters p = ssl.getSSLParameters();
          p.setEndpointIdentificationAlgorithm("HTTPS");
          ssl.setSSLParameters(p);
          ssl.setUseClientMode(true);
          ssl.startHandshake();
          s = ssl;
        }
        OutputStream out = s.getOutputStream();
        try {
          WalSocketProtocol.write(out, WalSocketProtocol.PREAMBLE);
        } catch (IOException e) {
          Optional<SSLException> alert = refusal(s);
          throw alert.isPresent() ? alert.get() : e;
        }
        if (!deadline.end()) {
          throw new java.net.SocketException("closed by the time limit");
        }
        WalSocket w = new WalSocket(s, out, address(port), acks);
        w.reader.start();
        return w;
      } catch (IOException | RuntimeException e) {
        plain.close();
        if (!deadline.end()) {
          throw new java.net.SocketTimeoutException(
              "no connection and TLS handshake with " + address(port) + " within 30 s");
        }
        throw e;
      }
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final String peer;
  private final StreamObserver<StreamResponse> acks;
  private final Thread reader;
  private volatile boolean closed;

  private WalSocket(
      Socket socket, OutputStream out, String peer, StreamObserver<StreamResponse> acks) {
    this.socket = socket;
    this.out = out;
    this.peer = peer;
    this.acks = acks;
    this.reader = new Thread(this::read, "klio-wal-socket-acks");
    reader.setDaemon(true);
  }

  @Override
  public boolean isReady() {
    return true; // writes block while the server does not read
  }

  @Override
  public boolean blocking() {
    return true;
  }

  /**
   * Writes one message (blocks while the server does not read: TCP is the flow control). When the
   * write fails, waits a little for the reader, so that the server's reason (an error frame, a TLS
   * alert) reaches the observer before the caller looks for it.
   */
  @Override
  public synchronized void send(StreamRequest m) throws IOException {
    try {
      WalSocketProtocol.write(out, WalSocketProtocol.frame(WalSocketProtocol.MESSAGE, m));
    } catch (IOException e) {
      try {
        reader.join(5_000);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      throw e;
    }
  }

  /** Tells the server no more messages come; it acknowledges the rest and ends the stream. */
  @Override
  public synchronized void complete() {
    try {
      WalSocketProtocol.write(out, WalSocketProtocol.frame(WalSocketProtocol.DONE));
    } catch (IOException e) {
      close();
    }
  }

  private void read() {
    try {
      DataInputStream in =
          new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 12));
      while (true) {
        WalSocketProtocol.Frame f = WalSocketProtocol.read(in, "the Klio server at " + peer);
        switch (f.type()) {
          case WalSocketProtocol.ACK -> acks.onNext(StreamResponse.parseFrom(f.payload()));
          case WalSocketProtocol.COMPLETED -> {
            acks.onCompleted();
            return;
          }
          case WalSocketProtocol.ERROR -> {
            acks.onError(WalSocketProtocol.status(f.payload()).asRuntimeException());
            return;
          }
          default ->
              throw new IOException(
                  "the Klio server at "
                      + peer
                      + " sent a WAL socket frame of unknown type "
                      + (f.type() & 0xff)
                      + " (a newer server? upgrade this client)");
        }
      }
    } catch (EOFException e) {
      if (!closed) {
        acks.onError(
            Status.UNAVAILABLE
                .withDescription("the Klio server at " + peer + " closed the WAL socket")
                .asRuntimeException());
      }
    } catch (IOException e) {
      if (!closed) {
        acks.onError(
            e instanceof SSLException
                ? e
                : Status.UNAVAILABLE
                    .withDescription("WAL socket to " + peer + ": " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException());
      }
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    closed = true;
    WalSocketProtocol.closeQuietly(socket);
  }
}
