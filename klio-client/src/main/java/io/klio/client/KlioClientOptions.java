package io.klio.client;

import io.klio.api.ClusterName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a Klio server, and as which cluster: what a {@link KlioConnection} is opened with.
 * Immutable; checked when built. {@code client.yaml} (docs/configuration.md) maps onto it; a
 * program that embeds the client builds it with {@link #builder()}.
 *
 * @param cluster the cluster the WAL is archived under; with TLS, the subject CN of the client
 *     certificate must be this name
 * @param server the server's gRPC address, as written
 * @param tls the client certificate and the CA of the server's; empty for a server in insecure mode
 *     (plaintext, no authentication: local development only)
 * @param synchronous the WAL sender asks the server to acknowledge every batch (synchronous
 *     replication): the batch's last data and its flush request travel as one message, over the
 *     server's WAL socket when it offers one
 * @param compressionLevel the zstd level WAL is compressed with on the wire (1-19), 0 for none
 * @param acknowledgementTimeout how long the WAL sender waits for an acknowledgement, or for the
 *     server to accept more WAL, before it gives the stream up (a retryable failure)
 * @param callTimeout the deadline of each call that is not a stream (negotiation, archive info)
 */
public record KlioClientOptions(
    ClusterName cluster,
    ServerAddress server,
    Optional<Tls> tls,
    boolean synchronous,
    int compressionLevel,
    Duration acknowledgementTimeout,
    Duration callTimeout) {

  /** The default zstd level of WAL on the wire ({@code compression: zstd:1}). */
  public static final int DEFAULT_COMPRESSION_LEVEL = 1;

  /** The default {@link #acknowledgementTimeout}. */
  public static final Duration DEFAULT_ACKNOWLEDGEMENT_TIMEOUT = Duration.ofSeconds(60);

  /** The default {@link #callTimeout}. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Mutual TLS: this client's certificate chain and key (PEM, the key PKCS#8), and the CA that
   * issued the server's certificate. The files are read when a connection is opened.
   *
   * @param serverName the name the server's certificate must carry; empty: the host of {@link
   *     KlioClientOptions#server}
   */
  public record Tls(Path certificate, Path key, Path ca, Optional<String> serverName) {
    public Tls {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(ca, "ca");
      Objects.requireNonNull(serverName, "serverName");
    }
  }

  public KlioClientOptions {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(tls, "tls");
    if (compressionLevel < 0 || compressionLevel > 19) {
      throw new IllegalArgumentException(
          "compression level " + compressionLevel + " is out of range 0-19 (0: none)");
    }
    requirePositive("acknowledgement timeout", acknowledgementTimeout);
    requirePositive("call timeout", callTimeout);
  }

  private static void requirePositive(String what, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("the " + what + " must be positive, not " + d);
    }
  }

  /** The name the server's certificate must carry: {@link Tls#serverName}, else the host. */
  public String serverName() {
    return tls.flatMap(Tls::serverName).orElse(server.host());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link KlioClientOptions}; cluster, server, and TLS or insecure are required. */
  public static final class Builder {
    private ClusterName cluster;
    private ServerAddress server;
    private Optional<Tls> tls;
    private boolean synchronous;
    private int compressionLevel = DEFAULT_COMPRESSION_LEVEL;
    private Duration acknowledgementTimeout = DEFAULT_ACKNOWLEDGEMENT_TIMEOUT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;

    private Builder() {}

    /** The cluster's name (a DNS label). */
    public Builder cluster(String name) {
      this.cluster = ClusterName.of(name);
      return this;
    }

    /** The server's {@code host:port}. */
    public Builder server(String address) {
      this.server = ServerAddress.parse(address);
      return this;
    }

    /** Mutual TLS with these files; the server's certificate must name the server's host. */
    public Builder tls(Path certificate, Path key, Path ca) {
      return tls(new Tls(certificate, key, ca, Optional.empty()));
    }

    public Builder tls(Tls files) {
      this.tls = Optional.of(files);
      return this;
    }

    /** Plaintext, for a server in insecure mode (local development only). */
    public Builder insecure() {
      this.tls = Optional.empty();
      return this;
    }

    public Builder synchronous(boolean on) {
      this.synchronous = on;
      return this;
    }

    /** zstd level 1-19 for WAL on the wire, 0 for none. */
    public Builder compressionLevel(int level) {
      this.compressionLevel = level;
      return this;
    }

    public Builder acknowledgementTimeout(Duration d) {
      this.acknowledgementTimeout = d;
      return this;
    }

    public Builder callTimeout(Duration d) {
      this.callTimeout = d;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming what is missing or out of range
     */
    public KlioClientOptions build() {
      if (cluster == null) {
        throw new IllegalArgumentException("the cluster is required");
      }
      if (server == null) {
        throw new IllegalArgumentException("the server address is required");
      }
      if (tls == null) {
        throw new IllegalArgumentException(
            "TLS files are required (tls(certificate, key, ca)), or insecure() for a server in"
                + " insecure mode");
      }
      return new KlioClientOptions(
          cluster, server, tls, synchronous, compressionLevel, acknowledgementTimeout, callTimeout);
    }
  }
}
