package io.klio.server.relay;

import io.klio.api.error.KlioException;
import io.klio.api.io.DurableFiles;
import io.klio.server.config.ServerConfig.Tier2Settings;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every repository object that reaches Tier 1 to Tier 2, by key, asynchronously (see the
 * package comment and docs/tier2.md). One dispatcher thread picks what may go now from the outbox,
 * in record order and under the dependency rules of {@link RelayKeys}, and hands it to at most
 * {@code parallelism} copier threads. A failed copy is retried with backoff, for as long as it
 * takes; during an outage the whole relay backs off (1 s doubling to 1 min) and the server stays
 * ready. Thread-safe.
 */
public final class Relay implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
  static final String TARGET_FILE = "target";
  private static final long MAX_BACKOFF_MS = 60_000;

  private final BlobStore tier1;
  private final Path tier1Dir;
  private final BlobStore tier2;
  private final Tier2Settings settings;
  private final Outbox outbox;
  private final RelayingStore front;
  private final Throttle throttle;
  private final RelayMetrics metrics = new RelayMetrics();
  private final ExecutorService copiers;
  private final Thread dispatcher;
  private final Object signal = new Object();
  private boolean signalled; // guarded by signal
  private volatile boolean closed;
  private int inFlight; // guarded by outbox lock
  private int consecutiveFailures; // guarded by outbox lock
  private long pausedUntilNanos; // guarded by outbox lock

  private Relay(BlobStore tier1, Path tier1Dir, BlobStore tier2, Tier2Settings s, Outbox outbox) {
    this.tier1 = tier1;
    this.tier1Dir = tier1Dir;
    this.tier2 = tier2;
    this.settings = s;
    this.outbox = outbox;
    this.front = new RelayingStore(tier1, outbox, this::wake);
    this.throttle = new Throttle(s.bandwidthBytesPerSecond());
    this.copiers =
        Executors.newFixedThreadPool(
            s.parallelism(),
            r -> {
              Thread t = new Thread(r, "klio-relay-copy");
              t.setDaemon(true);
              return t;
            });
    this.dispatcher = new Thread(this::dispatch, "klio-relay");
    this.dispatcher.setDaemon(true);
  }

  /**
   * Opens the outbox in {@code <tier1Dir>/relay}, records every Tier 1 object once when this Tier 2
   * is new to it (checking Tier 2 before copying each), and starts copying. {@code tier1} is the
   * raw Tier 1 store; the server must write through {@link #tier1()} from now on.
   */
  public static Relay start(BlobStore tier1, Path tier1Dir, BlobStore tier2, Tier2Settings s)
      throws IOException {
    Relay r = open(tier1, tier1Dir, tier2, s);
    r.dispatcher.start();
    Outbox outbox = r.outbox;
    LOG.info(
        "relay to Tier 2 {} on: {} objects waiting, {} at once{}",
        tier2.describe(),
        outbox.size(),
        s.parallelism(),
        s.bandwidthBytesPerSecond() == 0
            ? ""
            : ", at most " + (s.bandwidthBytesPerSecond() >> 10) + " KiB/s");
    return r;
  }

  /** Like {@link #start}, without starting the dispatcher (tests drive {@link #pick}). */
  static Relay open(BlobStore tier1, Path tier1Dir, BlobStore tier2, Tier2Settings s)
      throws IOException {
    Path dir = tier1Dir.resolve("relay");
    Outbox outbox = Outbox.open(dir);
    Relay r = new Relay(tier1, tier1Dir, tier2, s, outbox);
    r.seedIfNew(dir.resolve(TARGET_FILE));
    r.metrics.checkTier1(tier1Dir, s.tier1UsageWarningPercent(), outbox.size(), tier2.describe());
    return r;
  }

  Outbox outbox() {
    return outbox;
  }

  /** Tier 1 for the rest of the server: puts recorded in the outbox, deletes pinned. */
  public BlobStore tier1() {
    return front;
  }

  /** What the relay has done and what waits, for the admin API and {@code /metrics}. */
  public RelayMetrics.Snapshot snapshot() {
    return metrics.snapshot(outbox, tier2.describe());
  }

  /** The same, as the admin API's message. */
  public io.klio.api.grpc.v1.RelayStatus status() {
    RelayMetrics.Snapshot s = snapshot();
    return io.klio.api.grpc.v1.RelayStatus.newBuilder()
        .setTier2(s.tier2())
        .setObjectsWaiting(s.objectsWaiting())
        .setBytesWaiting(s.bytesWaiting())
        .setOldestWaitingSeconds(s.oldestWaitingSeconds())
        .setCopiedObjects(s.copiedObjects())
        .setCopiedBytes(s.copiedBytes())
        .putAllErrors(s.errorsByClass())
        .setLastError(s.lastError())
        .setLastSuccessTimeMs(s.lastSuccessMs())
        .setTier1UsagePercent(s.tier1UsagePercent())
        .setTier1UsageWarning(s.tier1UsageWarning())
        .build();
  }

  /** Appends the relay's metrics in the Prometheus text format. */
  public void render(StringBuilder out) {
    metrics.render(out, snapshot());
  }

  private void seedIfNew(Path targetFile) throws IOException {
    String target = tier2.describe();
    String known =
        Files.exists(targetFile)
            ? Files.readString(targetFile, StandardCharsets.UTF_8).strip()
            : null;
    if (target.equals(known) && !outbox.damaged()) {
      return;
    }
    List<BlobInfo> objects = new ArrayList<>();
    tier1.forEach(
        "",
        info -> {
          if (RelayKeys.relayed(info.key())) {
            objects.add(info);
          }
        });
    objects.sort(
        Comparator.comparingInt((BlobInfo o) -> RelayKeys.seedRank(o.key()))
            .thenComparing(BlobInfo::key));
    LOG.info(
        "{}: {} Tier 1 objects to check against Tier 2 {} and copy where missing",
        known == null
            ? "relay starting for the first time"
            : outbox.damaged()
                ? "the relay outbox was damaged"
                : "Tier 2 changed (was " + known + ")",
        objects.size(),
        target);
    outbox.recordExisting(objects);
    DurableFiles.write(targetFile, (target + "\n").getBytes(StandardCharsets.UTF_8));
  }

  void wake() {
    synchronized (signal) {
      signalled = true;
      signal.notifyAll();
    }
  }

  private void dispatch() {
    long nextSync = System.nanoTime();
    long nextCheck = nextSync + TimeUnit.SECONDS.toNanos(1);
    while (!closed) {
      try {
        for (Outbox.Entry e : pick()) {
          copiers.execute(() -> copy(e));
        }
        long now = System.nanoTime();
        if (now >= nextSync) {
          outbox.sync();
          nextSync = now + TimeUnit.SECONDS.toNanos(1);
        }
        if (now >= nextCheck) {
          metrics.checkTier1(
              tier1Dir, settings.tier1UsageWarningPercent(), outbox.size(), tier2.describe());
          nextCheck = now + TimeUnit.SECONDS.toNanos(1); // a statvfs: cheap
        }
        synchronized (signal) {
          if (!signalled && !closed) {
            signal.wait(250);
          }
          signalled = false;
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.error("relay: {}", e.toString());
        sleepQuietly(1000);
      }
    }
  }

  /** Entries that may start now, marked in flight (see {@link RelayKeys} for the rules). */
  List<Outbox.Entry> pick() {
    List<Outbox.Entry> start = new ArrayList<>();
    long now = System.nanoTime();
    outbox.locked(
        () -> {
          if (now < pausedUntilNanos) {
            return;
          }
          int free = settings.parallelism() - inFlight;
          if (free <= 0) {
            return;
          }
          Set<BlobKey> earlierKeys = new HashSet<>(); // of the entries pending before this one
          outbox.scan(
              e -> {
                boolean barrier = e.op == Outbox.Op.COPY && RelayKeys.barrier(e.key);
                boolean blocked = barrier && !earlierKeys.isEmpty();
                if (!e.inFlight
                    && e.written
                    && !blocked
                    && now >= e.retryAtNanos
                    && !earlierKeys.contains(e.key)) {
                  e.inFlight = true;
                  inFlight++;
                  start.add(e);
                }
                earlierKeys.add(e.key);
                // past a pending barrier nothing more can start, nor past the free slots
                return start.size() < free && !barrier;
              });
        });
    return start;
  }

  void copy(Outbox.Entry e) {
    try {
      if (e.op == Outbox.Op.DELETE) {
        tier1.delete(e.key);
        outbox.done(e);
        metrics.deleted();
      } else {
        copyObject(e);
      }
      outbox.locked(() -> consecutiveFailures = 0);
    } catch (IOException | RuntimeException ex) {
      failed(e, ex);
    } finally {
      outbox.locked(
          () -> {
            e.inFlight = false;
            inFlight--;
          });
      wake();
    }
  }

  private void copyObject(Outbox.Entry e) throws IOException {
    Optional<BlobInfo> src = tier1.stat(e.key);
    if (src.isEmpty()) {
      outbox.dropped(e); // its put never completed, or it was replaced and recorded again
      metrics.dropped();
      return;
    }
    if (e.checkTier2First) {
      Optional<BlobInfo> there = tier2.stat(e.key);
      if (there.isPresent() && there.get().size() == src.get().size()) {
        outbox.done(e);
        metrics.alreadyThere();
        return;
      }
    }
    long copied;
    try (InputStream in = throttle.wrap(tier1.get(e.key))) {
      copied = tier2.put(e.key, in).size();
    } catch (BlobNotFoundException gone) {
      outbox.dropped(e);
      metrics.dropped();
      return;
    }
    Optional<BlobInfo> now = tier1.stat(e.key);
    if (now.isPresent() && now.get().size() != copied) {
      throw new IOException(
          "relay: " + e.key + " changed on Tier 1 while it was copied; copying it again");
    }
    outbox.done(e);
    metrics.copied(copied, System.currentTimeMillis() - e.recordedMs);
  }

  private void failed(Outbox.Entry e, Exception ex) {
    String kind = RelayMetrics.errorClass(ex);
    metrics.failed(kind, ex);
    outbox.locked(
        () -> {
          e.attempts++;
          long entryBackoff = Math.min(5 * MAX_BACKOFF_MS, 1000L << Math.min(e.attempts - 1, 20));
          e.retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(entryBackoff);
          consecutiveFailures++;
          long pause = Math.min(MAX_BACKOFF_MS, 1000L << Math.min(consecutiveFailures - 1, 20));
          pausedUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause);
        });
    String msg = ex instanceof KlioException ? ex.getMessage() : ex.toString();
    if (e.attempts == 1 || e.attempts % 10 == 0) {
      LOG.warn(
          "relay: copying {} to Tier 2 {} failed ({}, attempt {}): {}; retrying with backoff,"
              + " nothing is lost: it stays on Tier 1 and in the outbox",
          e.key,
          tier2.describe(),
          kind,
          e.attempts,
          msg);
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops copying (copies in flight get a few seconds to finish) and closes the outbox. */
  @Override
  public void close() throws IOException {
    closed = true;
    wake();
    dispatcher.interrupt();
    copiers.shutdown();
    try {
      if (!copiers.awaitTermination(5, TimeUnit.SECONDS)) {
        copiers.shutdownNow();
        copiers.awaitTermination(5, TimeUnit.SECONDS);
      }
      dispatcher.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    outbox.close();
    tier2.close();
  }
}
