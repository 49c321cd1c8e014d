package io.klio.client;

/**
 * Where a Klio server listens, {@code host:port} as the user wrote it: a DNS name, an IPv4 address,
 * or an IPv6 address in brackets. Never resolved here (the gRPC channel resolves it, again after
 * each failure), so it prints as written: {@code 127.0.0.1:7433}, {@code [::1]:7433}, {@code
 * klio.backup.svc:7433}.
 *
 * @param host the host name or address (an IPv6 address without its brackets)
 * @param port the TCP port, 0 to 65535
 */
public record ServerAddress(String host, int port) {

  public ServerAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("a server address needs a host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  /**
   * Parses {@code host:port} ({@code [v6-address]:port} for IPv6).
   *
   * @throws IllegalArgumentException naming the text when it is not {@code host:port}
   */
  public static ServerAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    String host = colon <= 0 ? "" : text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not host:port (such as 127.0.0.1:7433)");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("'" + text + "' has no valid port");
    }
    return new ServerAddress(host, port);
  }

  /** {@code host:port}, with an IPv6 address in brackets: the address as it is written. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
