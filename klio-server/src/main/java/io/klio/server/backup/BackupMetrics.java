package io.klio.server.backup;

import static io.klio.server.http.Prometheus.counter;
import static io.klio.server.http.Prometheus.gauge;
import static io.klio.server.http.Prometheus.header;

import io.klio.api.grpc.v1.BackupSummary;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** The backup service's counters, in the Prometheus text format. Thread-safe. */
public final class BackupMetrics {

  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private final AtomicLong chunksReceived = new AtomicLong();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicLong chunksServed = new AtomicLong();
  private final AtomicLong bytesServed = new AtomicLong();
  private final Map<String, BackupSummary> last = new TreeMap<>();

  void chunkReceived(long bytes) {
    chunksReceived.incrementAndGet();
    bytesReceived.addAndGet(bytes);
  }

  void chunkServed(long bytes) {
    chunksServed.incrementAndGet();
    bytesServed.addAndGet(bytes);
  }

  void aborted() {
    aborted.incrementAndGet();
  }

  synchronized void committed(BackupSummary s) {
    committed.incrementAndGet();
    last.put(s.getCluster(), s);
  }

  /** Appends the metrics to {@code out}; {@code running} is the number of backups running now. */
  public synchronized void render(StringBuilder out, int running) {
    counter(
        out,
        "klio_backups_committed_total",
        "Backups committed since the server started.",
        committed.get());
    counter(
        out,
        "klio_backups_aborted_total",
        "Backups aborted or failed since the server started.",
        aborted.get());
    gauge(out, "klio_backups_running", "Backups running now.", running);
    counter(
        out,
        "klio_backup_chunks_received_total",
        "Chunks uploaded by backup clients.",
        chunksReceived.get());
    counter(
        out,
        "klio_backup_chunk_bytes_received_total",
        "Bytes of uploaded chunks, as sent (encoded).",
        bytesReceived.get());
    counter(
        out, "klio_backup_chunks_served_total", "Chunks served to restores.", chunksServed.get());
    counter(
        out,
        "klio_backup_chunk_bytes_served_total",
        "Bytes of chunks served to restores, as sent.",
        bytesServed.get());
    header(
        out,
        "klio_backup_last_success_timestamp_seconds",
        "When the cluster's last backup committed.",
        "gauge");
    for (BackupSummary s : last.values()) {
      out.append("klio_backup_last_success_timestamp_seconds{cluster=\"")
          .append(s.getCluster())
          .append("\"} ")
          .append(s.getCommittedTimeMs() / 1000)
          .append('\n');
    }
  }
}
