package io.klio.walstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to connect, resolved from a connection string, the {@code PG*} environment
 * variables, {@code ~/.pgpass} and libpq's defaults (see {@link ConnectionStrings#resolve}).
 *
 * <p>{@code host} is a host name, an IP address, or an absolute directory holding the server's unix
 * socket ({@code .s.PGSQL.<port>}). {@link #toString()} never shows the password.
 */
public record ConnectionSettings(
    String host,
    int port,
    String user,
    String database,
    Optional<String> password,
    SslMode sslMode,
    Optional<Path> sslRootCert,
    Optional<Path> sslCert,
    Optional<Path> sslKey,
    ChannelBinding channelBinding,
    String applicationName,
    Duration connectTimeout,
    Map<String, String> options,
    Optional<String> hostAddress) {

  /** libpq's {@code channel_binding}. */
  public enum ChannelBinding {
    DISABLE,
    PREFER,
    REQUIRE
  }

  public ConnectionSettings {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("host is required");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
    }
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("user is required");
    }
    options = Map.copyOf(options);
  }

  /** True when {@link #host} names a unix socket directory (and no hostaddr is given). */
  public boolean isUnixSocket() {
    return hostAddress.isEmpty() && host.startsWith("/");
  }

  /** The address to connect to: hostaddr when given, else host. */
  public String connectAddress() {
    return hostAddress.orElse(host);
  }

  /** The socket file for a unix-socket host. */
  public Path socketPath() {
    return Path.of(host, ".s.PGSQL." + port);
  }

  public ConnectionSettings withPassword(String pw) {
    return new ConnectionSettings(
        host,
        port,
        user,
        database,
        Optional.ofNullable(pw),
        sslMode,
        sslRootCert,
        sslCert,
        sslKey,
        channelBinding,
        applicationName,
        connectTimeout,
        options,
        hostAddress);
  }

  public ConnectionSettings withApplicationName(String name) {
    return new ConnectionSettings(
        host,
        port,
        user,
        database,
        password,
        sslMode,
        sslRootCert,
        sslCert,
        sslKey,
        channelBinding,
        name,
        connectTimeout,
        options,
        hostAddress);
  }

  /** A description for logs and messages: no password. */
  @Override
  public String toString() {
    return "host="
        + host
        + " port="
        + port
        + " user="
        + user
        + " dbname="
        + database
        + " sslmode="
        + sslMode
        + (password.isPresent() ? " password=***" : "");
  }
}
