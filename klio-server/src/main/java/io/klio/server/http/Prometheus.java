package io.klio.server.http;

/** Writes single-sample metrics in the Prometheus text format. */
public final class Prometheus {

  private Prometheus() {}

  public static void counter(StringBuilder out, String name, String help, long v) {
    sample(out, name, help, "counter", v);
  }

  public static void gauge(StringBuilder out, String name, String help, long v) {
    sample(out, name, help, "gauge", v);
  }

  private static void sample(StringBuilder out, String name, String help, String type, long v) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(v).append('\n');
  }
}
