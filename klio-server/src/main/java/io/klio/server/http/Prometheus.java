package io.klio.server.http;

/** Writes metrics in the Prometheus text format: single samples, or the header of others. */
public final class Prometheus {

  private Prometheus() {}

  public static void counter(StringBuilder out, String name, String help, long v) {
    sample(out, name, help, "counter", v);
  }

  public static void gauge(StringBuilder out, String name, String help, long v) {
    sample(out, name, help, "gauge", v);
  }

  /** The HELP and TYPE lines of a metric whose samples the caller writes (labels, histograms). */
  public static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder out, String name, String help, String type, long v) {
    header(out, name, help, type);
    out.append(name).append(' ').append(v).append('\n');
  }
}
