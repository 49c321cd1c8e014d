package io.klio.server.relay;

import static io.klio.server.http.Prometheus.counter;
import static io.klio.server.http.Prometheus.gauge;
import static io.klio.server.http.Prometheus.header;

import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The relay's counters and gauges, and the Tier 1 usage warning. Thread-safe. */
public final class RelayMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(RelayMetrics.class);
  private static final long WARN_EVERY_MS = 60_000;

  private final AtomicLong copiedObjects = new AtomicLong();
  private final AtomicLong copiedBytes = new AtomicLong();
  private final AtomicLong alreadyThere = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final AtomicLong lastCopyLagMs = new AtomicLong();
  private final AtomicLong lastSuccessMs = new AtomicLong();
  private final Map<String, AtomicLong> errors = new TreeMap<>();
  private volatile String lastError = "";
  private volatile int tier1UsagePercent = -1;
  private volatile boolean tier1Warning;
  private long lastWarnMs;

  /** The state at one moment, for the admin API and the metrics. */
  public record Snapshot(
      String tier2,
      long objectsWaiting,
      long bytesWaiting,
      long oldestWaitingSeconds,
      long copiedObjects,
      long copiedBytes,
      long alreadyOnTier2,
      long dropped,
      long deferredDeletesDone,
      Map<String, Long> errorsByClass,
      String lastError,
      long lastSuccessMs,
      int tier1UsagePercent,
      boolean tier1UsageWarning) {}

  synchronized void copied(long bytes, long lagMs) {
    copiedObjects.incrementAndGet();
    copiedBytes.addAndGet(bytes);
    lastCopyLagMs.set(lagMs);
    lastSuccessMs.set(System.currentTimeMillis());
  }

  void alreadyThere() {
    alreadyThere.incrementAndGet();
    lastSuccessMs.set(System.currentTimeMillis());
  }

  void dropped() {
    dropped.incrementAndGet();
  }

  void deleted() {
    deleted.incrementAndGet();
  }

  synchronized void failed(String kind, Exception e) {
    errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    lastError = e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** {@code retryable}, {@code permanent}, {@code not_found} or {@code io}. */
  static String errorClass(Exception e) {
    if (e instanceof RetryableException) {
      return "retryable";
    }
    if (e instanceof NotFoundException) {
      return "not_found";
    }
    if (e instanceof PermanentException) {
      return "permanent";
    }
    return e instanceof IOException ? "io" : "internal";
  }

  /**
   * Reads how full the Tier 1 volume is and says so, loudly and once a minute, when it is at or
   * above the threshold: with objects waiting for Tier 2, Tier 1 fills until Tier 2 is back.
   */
  void checkTier1(Path dir, int warnPercent, int waiting, String tier2) {
    try {
      FileStore fs = Files.getFileStore(dir);
      long total = fs.getTotalSpace();
      int used = total == 0 ? 0 : (int) (100 - fs.getUsableSpace() * 100 / total);
      tier1UsagePercent = used;
      tier1Warning = used >= warnPercent;
      long now = System.currentTimeMillis();
      if (tier1Warning && now - lastWarnMs >= WARN_EVERY_MS) {
        lastWarnMs = now;
        if (waiting > 0) {
          LOG.warn(
              "TIER 1 IS {}% FULL (threshold {}%) and {} objects wait for Tier 2 {} (last error:"
                  + " {}). When Tier 1 is full the server stops acknowledging WAL and backups"
                  + " fail; restore Tier 2's availability or grow the Tier 1 volume",
              used, warnPercent, waiting, tier2, lastError.isEmpty() ? "none" : lastError);
        } else {
          LOG.warn(
              "Tier 1 is {}% full (threshold {}%); nothing waits for Tier 2: grow the Tier 1"
                  + " volume or shorten Tier 1's retention",
              used, warnPercent);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read how full Tier 1 ({}) is: {}", dir, e.getMessage());
    }
  }

  synchronized Snapshot snapshot(Outbox outbox, String tier2) {
    long[] w = {0, 0, Long.MAX_VALUE};
    outbox.scan(
        e -> {
          if (e.op == Outbox.Op.COPY) {
            w[0]++;
            w[1] += Math.max(0, e.size);
          }
          w[2] = Math.min(w[2], e.recordedMs);
          return true;
        });
    Map<String, Long> errs = new TreeMap<>();
    errors.forEach((k, v) -> errs.put(k, v.get()));
    return new Snapshot(
        tier2,
        w[0],
        w[1],
        w[2] == Long.MAX_VALUE ? 0 : Math.max(0, (System.currentTimeMillis() - w[2]) / 1000),
        copiedObjects.get(),
        copiedBytes.get(),
        alreadyThere.get(),
        dropped.get(),
        deleted.get(),
        errs,
        lastError,
        lastSuccessMs.get(),
        tier1UsagePercent,
        tier1Warning);
  }

  void render(StringBuilder out, Snapshot s) {
    gauge(
        out,
        "klio_relay_objects_waiting",
        "Objects on Tier 1 waiting for Tier 2.",
        s.objectsWaiting());
    gauge(
        out,
        "klio_relay_bytes_waiting",
        "Bytes of the objects waiting for Tier 2 (those known).",
        s.bytesWaiting());
    gauge(
        out,
        "klio_relay_oldest_waiting_seconds",
        "Age of the oldest object waiting for Tier 2 (0: none waits).",
        s.oldestWaitingSeconds());
    counter(out, "klio_relay_copied_objects_total", "Objects copied to Tier 2.", s.copiedObjects());
    counter(out, "klio_relay_copied_bytes_total", "Bytes copied to Tier 2.", s.copiedBytes());
    counter(
        out,
        "klio_relay_already_on_tier2_total",
        "Objects found on Tier 2 already (after a restart or a new Tier 2), not copied again.",
        s.alreadyOnTier2());
    counter(
        out,
        "klio_relay_dropped_total",
        "Outbox records without an object on Tier 1 (a put that failed).",
        s.dropped());
    counter(
        out,
        "klio_relay_deferred_deletes_total",
        "Tier 1 deletions that waited for the object to reach Tier 2, then done.",
        s.deferredDeletesDone());
    header(out, "klio_relay_errors_total", "Failed copies to Tier 2, by error class.", "counter");
    for (String k : new String[] {"retryable", "permanent", "not_found", "io", "internal"}) {
      out.append("klio_relay_errors_total{class=\"")
          .append(k)
          .append("\"} ")
          .append(s.errorsByClass().getOrDefault(k, 0L))
          .append('\n');
    }
    gauge(
        out,
        "klio_relay_last_success_timestamp_seconds",
        "When the relay last copied (or found) an object on Tier 2.",
        s.lastSuccessMs() / 1000);
    gauge(out, "klio_tier1_usage_percent", "How full the Tier 1 volume is.", s.tier1UsagePercent());
    gauge(
        out,
        "klio_tier1_usage_warning",
        "1 when Tier 1 is at or above tier2.tier1UsageWarning.",
        s.tier1UsageWarning() ? 1 : 0);
  }
}
