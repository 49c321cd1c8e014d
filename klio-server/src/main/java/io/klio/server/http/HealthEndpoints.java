package io.klio.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The HTTP endpoints a supervisor (Kubernetes probes, Prometheus) asks a long-running Klio process:
 * {@code /livez} and {@code /healthz} answer 200 while the process runs; {@code /readyz} 200 while
 * it is ready and 503 otherwise; {@code /metrics}, when given, the Prometheus text exposition. The
 * server and send-wal serve them. One HTTP thread of the JDK's; the suppliers are called on it.
 */
public final class HealthEndpoints implements AutoCloseable {

  private final HttpServer http;

  private HealthEndpoints(HttpServer http) {
    this.http = http;
  }

  /**
   * Listens on {@code address} (port 0: any free port).
   *
   * @param ready whether {@code /readyz} answers 200
   * @param metrics the body of {@code /metrics}; none: no such endpoint
   */
  public static HealthEndpoints start(
      InetSocketAddress address, BooleanSupplier ready, Optional<Supplier<String>> metrics)
      throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(address.getHostString(), address.getPort()), 16);
    metrics.ifPresent(
        m ->
            http.createContext(
                "/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4", m.get())));
    http.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
    http.createContext("/livez", ex -> respond(ex, 200, "text/plain", "ok\n"));
    http.createContext(
        "/readyz",
        ex -> {
          boolean ok = ready.getAsBoolean();
          respond(ex, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready\n");
        });
    http.start();
    return new HealthEndpoints(http);
  }

  private static void respond(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  /** {@code http://host:port}, the port the one listened on. */
  public String url() {
    return "http://" + http.getAddress().getHostString() + ":" + http.getAddress().getPort();
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** Stops at once. */
  @Override
  public void close() {
    http.stop(0);
  }
}
