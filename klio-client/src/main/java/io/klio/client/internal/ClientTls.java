package io.klio.client.internal;

import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.klio.api.error.PermanentException;
import io.klio.client.KlioClientOptions;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/** The client's TLS material in the two forms its transports take it. Stateless. */
final class ClientTls {

  private ClientTls() {}

  /** The JDK TLS context of the WAL socket: the client's certificate and key, the server's CA. */
  static SSLContext context(KlioClientOptions.Tls f) throws PermanentException {
    try {
      return ((JdkSslContext)
              SslContextBuilder.forClient()
                  .sslProvider(SslProvider.JDK)
                  .keyManager(f.certificate().toFile(), f.key().toFile())
                  .trustManager(f.ca().toFile())
                  .build())
          .context();
    } catch (SSLException | IllegalArgumentException e) {
      throw unusable(f, e);
    }
  }

  /** The failure for TLS files that cannot be used: it names them. */
  static PermanentException unusable(KlioClientOptions.Tls f, Exception e) {
    return new PermanentException(
        "cannot use the TLS files "
            + f.certificate()
            + ", "
            + f.key()
            + ", "
            + f.ca()
            + ": "
            + e.getMessage(),
        e);
  }
}
