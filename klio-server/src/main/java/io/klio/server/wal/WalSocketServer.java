package io.klio.server.wal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.ServerCallStreamObserver;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.client.wire.WalSocketProtocol;
import io.klio.server.grpc.ClientIdentity;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL socket listener ({@link WalSocketProtocol}): each connection is one WAL stream, handled
 * by the same {@link StreamSession} as the gRPC Stream call, read by a thread of its own. A
 * synchronous client's flush request is written, fsynced and acknowledged on that thread, which
 * then writes the acknowledgement straight to the socket: per commit one thread wakes up on the
 * server, and no HTTP/2 framing or event loop is involved. The client's certificate names the
 * cluster it may act for, as on the gRPC port.
 */
public final class WalSocketServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WalSocketServer.class);

  private final ServerSocket listener;
  private final Optional<SSLContext> tls;
  private final Archives archives;
  private final Metrics metrics;
  private final Duration flushInterval;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closing;

  private WalSocketServer(
      ServerSocket listener,
      Optional<SSLContext> tls,
      Archives archives,
      Metrics metrics,
      Duration flushInterval) {
    this.listener = listener;
    this.tls = tls;
    this.archives = archives;
    this.metrics = metrics;
    this.flushInterval = flushInterval;
    this.acceptor = new Thread(this::accept, "klio-wal-socket-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Listens on {@code address}; with {@code tls} (mutual TLS, client certificates required) unless
   * the server runs in insecure mode.
   */
  public static WalSocketServer start(
      InetSocketAddress address,
      Optional<SSLContext> tls,
      Archives archives,
      Metrics metrics,
      Duration flushInterval)
      throws IOException {
    // plain sockets, TLS layered over each: the reader asks the plain one whether more bytes wait
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    try {
      s.bind(new InetSocketAddress(address.getHostString(), address.getPort()), 64);
    } catch (IOException e) {
      s.close();
      throw new IOException(
          "cannot listen on "
              + address.getHostString()
              + ":"
              + address.getPort()
              + " (wal.socketListen): "
              + e.getMessage(),
          e);
    }
    WalSocketServer w = new WalSocketServer(s, tls, archives, metrics, flushInterval);
    w.acceptor.start();
    return w;
  }

  /** The TLS context of the socket: the server's certificate and key, clients' from {@code ca}. */
  public static SSLContext tls(File certificate, File key, File clientCa) throws SSLException {
    return ((JdkSslContext)
            SslContextBuilder.forServer(certificate, key)
                .sslProvider(SslProvider.JDK)
                .trustManager(clientCa)
                .clientAuth(ClientAuth.REQUIRE)
                .build())
        .context();
  }

  /** The port listened on (useful when configured as 0). */
  public int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!closing) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        if (!closing) {
          LOG.warn("WAL socket: accept failed: {}", e.getMessage());
        }
        continue;
      }
      open.add(s);
      Thread t = new Thread(() -> serve(s), "klio-wal-socket " + s.getRemoteSocketAddress());
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket plain) {
    String peer = String.valueOf(plain.getRemoteSocketAddress());
    Socket s = plain;
    OutputStream out = null;
    WalSocketProtocol.Deadline deadline = null;
    try {
      plain.setTcpNoDelay(true);
      plain.setKeepAlive(true);
      deadline = WalSocketProtocol.Deadline.of(plain, 30); // for the handshake and the preamble
      Optional<String> id = Optional.empty();
      if (tls.isPresent()) {
        SSLSocket ssl = (SSLSocket) tls.get().getSocketFactory().createSocket(plain, null, true);
        ssl.setUseClientMode(false);
        ssl.setNeedClientAuth(true);
        s = ssl;
        out = ssl.getOutputStream();
        ssl.startHandshake();
        id = ClientIdentity.commonName(ssl.getSession());
        if (id.isEmpty()) {
          WalSocketProtocol.write(
              out,
              WalSocketProtocol.errorFrame(
                  Status.UNAUTHENTICATED.withDescription(
                      "a client certificate with a subject CN is required")));
          return;
        }
      } else {
        out = plain.getOutputStream();
      }
      DataInputStream in =
          new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
      WalSocketProtocol.readPreamble(in, peer);
      if (!deadline.end()) {
        throw new IOException("WAL socket: " + peer + " sent no preamble within 30 s");
      }
      metrics.walSocketStream();
      Connection c = new Connection(s, out, peer, plain.getInputStream());
      ClientIdentity.context(id).run(() -> c.run(in));
    } catch (SSLException e) {
      metrics.error();
      LOG.warn(
          "WAL socket: TLS with {} failed: {}",
          peer,
          deadline != null && deadline.expired() ? "no handshake within 30 s" : e.getMessage());
    } catch (IOException e) {
      if (!closing) {
        metrics.error();
        LOG.warn(
            "{}",
            deadline != null && deadline.expired()
                ? "WAL socket: " + peer + " completed no handshake and preamble within 30 s"
                : e.getMessage());
        if (out != null && e instanceof WalSocketProtocol.ProtocolException) {
          try {
            WalSocketProtocol.write(
                out,
                WalSocketProtocol.errorFrame(
                    Status.INVALID_ARGUMENT.withDescription(e.getMessage())));
          } catch (IOException ignored) {
            // the peer is gone
          }
        }
      }
    } finally {
      if (deadline != null) {
        deadline.end();
      }
      WalSocketProtocol.closeQuietly(s);
      WalSocketProtocol.closeQuietly(plain);
      open.remove(plain);
    }
  }

  /** Stops taking connections; the open streams go on until their sessions end. */
  public void stopAccepting() {
    closing = true;
    WalSocketProtocol.closeQuietly(listener);
  }

  /** Stops taking connections and closes those still open. */
  @Override
  public void close() {
    stopAccepting();
    for (Socket s : open) {
      WalSocketProtocol.closeQuietly(s);
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One connection's stream: reads frames and passes their messages to the session; what the
   * session sends back is written to the socket. The session's flow control is kept: a message is
   * read only when the session asked for one.
   */
  private final class Connection extends ServerCallStreamObserver<StreamResponse> {

    private final Socket socket;
    private final OutputStream out;
    private final String peer;
    private final InputStream raw; // the plain socket's: what TLS has not read yet
    private final Semaphore permits = new Semaphore(0);
    private volatile Runnable onCancel = () -> {};
    private volatile boolean cancelled;
    private boolean ended; // guarded by this: the session completed or failed the stream

    Connection(Socket socket, OutputStream out, String peer, InputStream raw) {
      this.socket = socket;
      this.out = out;
      this.peer = peer;
      this.raw = raw;
    }

    void run(DataInputStream in) {
      StreamSession session = new StreamSession(archives, metrics, this, flushInterval, true);
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
                    StreamRequest.parseFrom(f.payload()),
                    in.available() > 0 || raw.available() > 0);
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
     * connection, so that closing does not reset a connection whose last frames the client has yet
     * to read.
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
}
