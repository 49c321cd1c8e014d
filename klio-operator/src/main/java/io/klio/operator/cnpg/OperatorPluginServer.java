package io.klio.operator.cnpg;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Grpc;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.klio.cnpgi.KlioIdentity;
import io.klio.cnpgi.identity.v1.PluginCapability;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator side of the CNPG-I plugin: Identity, OperatorLifecycle, Operator and ReconcilerHooks
 * on a TCP port behind the plugin Service, over mutual TLS (a client certificate is required, from
 * the CA of the client Secret). CloudNativePG's operator calls it with a 30 s deadline per call.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once. Thread-safe: the services hold no state
 * of their own; they read PluginConfigurations and Servers through the Kubernetes client.
 */
public final class OperatorPluginServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorPluginServer.class);

  private final Server server;

  private OperatorPluginServer(Server server) {
    this.server = server;
  }

  /** Serves on {@code port} (0: any free port) with {@code tls}, until {@link #close}. */
  public static OperatorPluginServer start(
      int port, PluginTls.Material tls, KubernetesClient client, String version)
      throws IOException {
    TlsServerCredentials.Builder creds =
        TlsServerCredentials.newBuilder()
            .keyManager(stream(tls.certificatePem()), stream(tls.keyPem()))
            .trustManager(stream(tls.trustPem()))
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    Configurations configurations = new Configurations(client);
    Server s =
        Grpc.newServerBuilderForPort(port, creds.build())
            .addService(
                new KlioIdentity(
                    version,
                    "PostgreSQL WAL streaming, base backups and recovery on a Klio server: the"
                        + " operator side (sidecar injection, validation, reconciler hooks)",
                    () -> true,
                    List.of(
                        PluginCapability.Service.Type.TYPE_OPERATOR_SERVICE,
                        PluginCapability.Service.Type.TYPE_LIFECYCLE_SERVICE,
                        PluginCapability.Service.Type.TYPE_RECONCILER_HOOKS)))
            .addService(new Lifecycle(configurations))
            .addService(new ClusterValidation())
            .addService(new Reconciler(configurations))
            .build()
            .start();
    LOG.info(
        "CNPG-I operator-side plugin {} on port {} (mutual TLS)", ClusterPlugin.NAME, s.getPort());
    return new OperatorPluginServer(s);
  }

  private static InputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /** The port it serves on. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
