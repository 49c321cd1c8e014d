package io.klio.walstream;

import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.api.io.BulkInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLSocket;

/**
 * A byte stream to the server over TCP, TLS or a unix socket. One thread may read while another
 * writes (the receiver reads WAL while its feedback thread sends status updates); writes are
 * serialized by the caller.
 */
final class Transport implements AutoCloseable {

  private final AutoCloseable resource;
  private final InputStream in;
  private final OutputStream out;
  private final X509Certificate serverCertificate;

  private Transport(
      AutoCloseable resource, InputStream in, OutputStream out, X509Certificate cert) {
    this.resource = resource;
    this.in = new BufferedInputStream(in, 1 << 17);
    this.out = new BufferedOutputStream(out, 1 << 13);
    this.serverCertificate = cert;
  }

  static Transport open(ConnectionSettings s) throws IOException {
    if (s.isUnixSocket()) {
      return unix(s);
    }
    Socket socket = new Socket();
    try {
      socket.connect(
          new InetSocketAddress(s.connectAddress(), s.port()), (int) s.connectTimeout().toMillis());
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
    } catch (ConnectException | SocketTimeoutException e) {
      socket.close();
      throw new RetryableException(
          "could not connect to the server at "
              + s.connectAddress()
              + ":"
              + s.port()
              + ": "
              + e.getMessage()
              + "; is it running and accepting TCP connections?",
          e);
    } catch (IOException e) {
      socket.close();
      throw new RetryableException(
          "could not connect to " + s.connectAddress() + ":" + s.port() + ": " + e.getMessage(), e);
    }
    if (s.sslMode() == SslMode.DISABLE) {
      return new Transport(socket, socket.getInputStream(), socket.getOutputStream(), null);
    }
    return negotiateTls(s, socket);
  }

  private static Transport negotiateTls(ConnectionSettings s, Socket socket) throws IOException {
    OutputStream raw = socket.getOutputStream();
    raw.write(io.klio.walstream.protocol.FrontendMessage.SslRequest.INSTANCE.encode());
    raw.flush();
    int answer = socket.getInputStream().read();
    if (answer == 'S') {
      SSLSocket tls = Tls.handshake(s, socket);
      X509Certificate cert = (X509Certificate) tls.getSession().getPeerCertificates()[0];
      return new Transport(tls, tls.getInputStream(), tls.getOutputStream(), cert);
    }
    if (answer == 'N') {
      if (s.sslMode().requiresTls()) {
        socket.close();
        throw new PermanentException(
            "server "
                + s.host()
                + ":"
                + s.port()
                + " does not support SSL, but SSL was required (sslmode="
                + s.sslMode()
                + ")");
      }
      return new Transport(socket, socket.getInputStream(), socket.getOutputStream(), null);
    }
    socket.close();
    throw new PermanentException(
        "server "
            + s.host()
            + ":"
            + s.port()
            + " answered the SSL request with "
            + (answer < 0 ? "end of stream" : "'" + (char) answer + "'")
            + "; is it a PostgreSQL server?");
  }

  private static Transport unix(ConnectionSettings s) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(s.socketPath()));
    } catch (IOException e) {
      ch.close();
      throw new RetryableException(
          "could not connect to the server on socket \""
              + s.socketPath()
              + "\": "
              + e.getMessage()
              + "; is it running and accepting connections there?",
          e);
    }
    // read and write the channel directly: Channels.newInputStream/newOutputStream share one lock,
    // which would block a status update while the reader waits for WAL
    InputStream in =
        new BulkInputStream() {

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : ch.read(ByteBuffer.wrap(b, off, len));
          }
        };
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
              ch.write(bb);
            }
          }
        };
    return new Transport(ch, in, out, null);
  }

  InputStream in() {
    return in;
  }

  OutputStream out() {
    return out;
  }

  /** The server's certificate when the connection uses TLS (for SCRAM channel binding). */
  Optional<X509Certificate> serverCertificate() {
    return Optional.ofNullable(serverCertificate);
  }

  boolean isTls() {
    return serverCertificate != null;
  }

  @Override
  public void close() throws IOException {
    try {
      resource.close();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }
}
