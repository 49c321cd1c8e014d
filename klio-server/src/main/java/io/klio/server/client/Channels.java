package io.klio.server.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.klio.server.config.ClientConfig;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** gRPC channels to a Klio server, with mTLS unless the config says insecure. */
public final class Channels {

  private Channels() {}

  public static ManagedChannel open(ClientConfig.Resolved c) throws IOException {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(c.server().getHostString(), c.server().getPort())
            .maxInboundMessageSize(16 << 20)
            .flowControlWindow(8 << 20)
            // our callbacks only record acknowledgements and wake a waiting thread
            .directExecutor()
            .keepAliveTime(20, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS);
    if (c.tls().isPresent()) {
      ClientConfig.TlsFiles f = c.tls().get();
      try {
        b.sslContext(
            GrpcSslContexts.forClient()
                .trustManager(f.ca().toFile())
                .keyManager(f.certificate().toFile(), f.key().toFile())
                .build());
      } catch (SSLException | IllegalArgumentException e) {
        throw unusable(f, e);
      }
      f.serverName().ifPresent(b::overrideAuthority);
    } else {
      b.usePlaintext();
    }
    return b.build();
  }

  /** The configuration error for TLS files that cannot be used. */
  static io.klio.server.config.ConfigException unusable(ClientConfig.TlsFiles f, Exception e) {
    return new io.klio.server.config.ConfigException(
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
