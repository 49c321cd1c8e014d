package io.klio.server.wal;

import io.klio.server.http.Prometheus;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * Server-wide counters that are not per-cluster state: acknowledgement latency (a Prometheus
 * histogram) and errors. Thread-safe.
 */
public final class Metrics {

  /** Upper bounds of the latency buckets, in seconds. */
  static final double[] BUCKETS = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1
  };

  private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong sumNanos = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong walSocketStreams = new AtomicLong();

  void ackLatency(long nanos) {
    double s = nanos / 1e9;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (s <= BUCKETS[i]) {
        buckets.incrementAndGet(i);
      }
    }
    count.incrementAndGet();
    sumNanos.addAndGet(nanos);
  }

  public void error() {
    errors.incrementAndGet();
  }

  void walSocketStream() {
    walSocketStreams.incrementAndGet();
  }

  private static void perCluster(
      StringBuilder b,
      List<ClusterArchive> all,
      String name,
      String type,
      String help,
      Function<ClusterArchive, String> value) {
    Prometheus.header(b, name, help, type);
    for (ClusterArchive a : all) {
      b.append(name)
          .append("{cluster=\"")
          .append(a.name())
          .append("\"} ")
          .append(value.apply(a))
          .append('\n');
    }
  }

  /** The Prometheus text exposition of these and of every cluster's state. */
  public String render(Archives archives) {
    StringBuilder b = new StringBuilder();
    List<ClusterArchive> all = archives.all();
    perCluster(
        b,
        all,
        "klio_wal_received_lsn_bytes",
        "gauge",
        "Position up to which WAL was received.",
        a -> Long.toUnsignedString(a.receivedLsn().value()));
    perCluster(
        b,
        all,
        "klio_wal_durable_lsn_bytes",
        "gauge",
        "Position before which WAL is durable on Tier 1.",
        a -> Long.toUnsignedString(a.durableLsn().value()));
    perCluster(
        b,
        all,
        "klio_wal_lag_bytes",
        "gauge",
        "Received but not yet durable.",
        a ->
            Long.toString(
                a.receivedLsn().isAfter(a.durableLsn())
                    ? a.receivedLsn().minus(a.durableLsn())
                    : 0));
    perCluster(
        b,
        all,
        "klio_wal_streaming",
        "gauge",
        "Whether a send-wal stream is connected.",
        a -> a.isStreaming() ? "1" : "0");
    perCluster(
        b,
        all,
        "klio_wal_segments_stored_total",
        "counter",
        "Segments archived since the server started.",
        a -> Long.toString(a.segmentsStored()));
    perCluster(
        b,
        all,
        "klio_wal_segments_from_client_frames_total",
        "counter",
        "Of those, segments stored as the zstd frames send-wal sent (no compression here).",
        a -> Long.toString(a.segmentsFromClientFrames()));
    Prometheus.header(
        b,
        "klio_wal_ack_latency_seconds",
        "From WAL received to its durable acknowledgement.",
        "histogram");
    for (int i = 0; i < BUCKETS.length; i++) {
      b.append("klio_wal_ack_latency_seconds_bucket{le=\"")
          .append(BUCKETS[i])
          .append("\"} ")
          .append(buckets.get(i))
          .append('\n');
    }
    b.append("klio_wal_ack_latency_seconds_bucket{le=\"+Inf\"} ").append(count.get()).append('\n');
    b.append("klio_wal_ack_latency_seconds_sum ").append(sumNanos.get() / 1e9).append('\n');
    b.append("klio_wal_ack_latency_seconds_count ").append(count.get()).append('\n');
    Prometheus.counter(
        b,
        "klio_wal_socket_streams_total",
        "WAL streams taken on the WAL socket (after TLS and the preamble).",
        walSocketStreams.get());
    Prometheus.counter(b, "klio_errors_total", "Failed calls and streams.", errors.get());
    return b.toString();
  }
}
