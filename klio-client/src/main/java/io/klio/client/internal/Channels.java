package io.klio.client.internal;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.klio.api.error.PermanentException;
import io.klio.client.KlioClientOptions;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** gRPC channels to a Klio server, with mutual TLS unless the options say insecure. */
final class Channels {

  private Channels() {}

  static ManagedChannel open(KlioClientOptions o) throws PermanentException {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(o.server().host(), o.server().port())
            .maxInboundMessageSize(16 << 20)
            .flowControlWindow(8 << 20)
            // our callbacks only record acknowledgements and wake a waiting thread
            .directExecutor()
            .keepAliveTime(20, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS);
    if (o.tls().isPresent()) {
      KlioClientOptions.Tls f = o.tls().get();
      try {
        b.sslContext(
            GrpcSslContexts.forClient()
                .trustManager(f.ca().toFile())
                .keyManager(f.certificate().toFile(), f.key().toFile())
                .build());
      } catch (SSLException | IllegalArgumentException e) {
        throw ClientTls.unusable(f, e);
      }
      f.serverName().ifPresent(b::overrideAuthority);
    } else {
      b.usePlaintext();
    }
    return b.build();
  }
}
