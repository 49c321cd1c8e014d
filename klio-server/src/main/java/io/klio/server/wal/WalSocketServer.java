package io.klio.server.wal;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.klio.client.wire.WalSocketProtocol;
import io.klio.server.grpc.ClientIdentity;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL socket listener ({@link WalSocketProtocol}): each connection is one WAL stream ({@link
 * WalSocketConnection}), handled by the same {@link StreamSession} as the gRPC Stream call, read by
 * a thread of its own. A synchronous client's flush request is written, fsynced and acknowledged on
 * that thread, which then writes the acknowledgement straight to the socket: per commit one thread
 * wakes up on the server, and no HTTP/2 framing or event loop is involved. The client's certificate
 * names the cluster it may act for, as on the gRPC port.
 */
public final class WalSocketServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WalSocketServer.class);

  private final ServerSocket listener;
  private final Optional<SSLContext> tls;
  private final StreamRegistry streams;
  private final Metrics metrics;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closing;

  private WalSocketServer(
      ServerSocket listener, Optional<SSLContext> tls, StreamRegistry streams, Metrics metrics) {
    this.listener = listener;
    this.tls = tls;
    this.streams = streams;
    this.metrics = metrics;
    this.acceptor = new Thread(this::accept, "klio-wal-socket-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Listens on {@code address}; with {@code tls} (mutual TLS, client certificates required) unless
   * the server runs in insecure mode.
   */
  public static WalSocketServer start(
      InetSocketAddress address, Optional<SSLContext> tls, StreamRegistry streams, Metrics metrics)
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
    WalSocketServer w = new WalSocketServer(s, tls, streams, metrics);
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
      WalSocketConnection c =
          new WalSocketConnection(s, out, peer, plain.getInputStream(), metrics);
      ClientIdentity.context(id).run(() -> c.run(streams, in));
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
}
