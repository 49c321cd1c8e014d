package io.klio.server.prefetch;

import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.io.DurableFiles;
import io.klio.client.WalFetcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@code depth} segments from the one PostgreSQL wants next in the spool, until recovery
 * is over. "Wanted next" is the segment after the newest one the restore command took from the
 * spool, or what get-wal last recorded ({@link Spool#recordRequest}); segments outside that window
 * (replayed already, of another timeline, or too far ahead) are deleted, so the spool never holds
 * more than {@code depth} segments (and one temporary file per fetch under way). Only complete
 * segments are spooled: a {@code .partial} answer, like "not found", is where the archive ends for
 * now; it is asked again after a pause (1 s, doubling to 10 s) while the window stays.
 *
 * <p>One thread ({@link #run}) decides; {@value #PARALLEL} threads fetch over the one connection.
 * Not reusable: {@link #run} once.
 */
final class Prefetcher {

  private static final Logger LOG = LoggerFactory.getLogger(Prefetcher.class);

  /** Fetches at once over the connection: enough to keep ahead of replay, little memory. */
  static final int PARALLEL = 2;

  private static final long FIRST_PAUSE_MS = 1000;
  private static final long LONGEST_PAUSE_MS = 10_000;

  /** What ended a run, and what it did. */
  record Outcome(String reason, long fetched, long taken, long unused) {}

  private final Spool spool;
  private final WalFetcher fetcher;
  private final WalSegmentSize size;
  private final int depth;
  private final Optional<Path> dataDirectory;
  private final Duration idle;

  private final Set<String> spooled = ConcurrentHashMap.newKeySet();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final BlockingQueue<Done> done = new LinkedBlockingQueue<>();
  private final Map<String, Long> retryAt = new HashMap<>();
  private long pauseMs = FIRST_PAUSE_MS;
  private WalFileName.Segment next;
  private String lastRequest;
  private long lastActivity = System.nanoTime();
  private long fetched;
  private long taken;
  private long unused;
  private boolean warned;

  /** The end of one fetch: {@code failure} is empty when the segment was spooled. */
  private record Done(String name, Optional<Exception> failure) {}

  /**
   * @param dataDirectory PostgreSQL's data directory when known: the run ends when its recovery is
   *     over (neither {@code recovery.signal} nor {@code standby.signal} left) or PostgreSQL
   *     stopped (no {@code postmaster.pid})
   * @param idle the run ends when PostgreSQL asked for nothing for this long
   */
  Prefetcher(
      Spool spool,
      WalFetcher fetcher,
      WalSegmentSize size,
      int depth,
      Optional<Path> dataDirectory,
      Duration idle) {
    this.spool = spool;
    this.fetcher = fetcher;
    this.size = size;
    this.depth = depth;
    this.dataDirectory = dataDirectory;
    this.idle = idle;
  }

  /**
   * Runs until recovery is over, PostgreSQL stopped, the spool (or the directory it is in) is gone,
   * PostgreSQL asked for nothing for {@code idle}, or the server refuses us; then deletes every
   * spooled segment and temporary file.
   */
  Outcome run() throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    String reason;
    try {
      removeTemporaries();
      while (true) {
        Optional<String> stop = stopReason();
        if (stop.isPresent()) {
          reason = stop.get();
          break;
        }
        try {
          follow();
          trim();
        } catch (IOException e) {
          if (!Files.isDirectory(spool.dir())) {
            continue; // the next stopReason() says so
          }
          LOG.warn("reading the spool {}: {}", spool.dir(), e.toString());
        }
        Optional<String> refused = collect();
        if (refused.isPresent()) {
          reason = refused.get();
          break;
        }
        schedule(pool);
        Done d = done.poll(100, TimeUnit.MILLISECONDS);
        if (d != null) {
          done.add(d); // collect() takes it
        }
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    clear();
    return new Outcome(reason, fetched, taken, unused);
  }

  private Optional<String> stopReason() {
    Path parent = spool.dir().getParent();
    if (!Files.isDirectory(spool.dir()) || (parent != null && !Files.isDirectory(parent))) {
      return Optional.of("the spool " + spool.dir() + " is gone");
    }
    if (dataDirectory.isPresent()) {
      Path d = dataDirectory.get();
      if (!Files.exists(d.resolve("recovery.signal"))
          && !Files.exists(d.resolve("standby.signal"))) {
        return Optional.of("the recovery of " + d + " is over");
      }
      if (!Files.exists(d.resolve("postmaster.pid"))) {
        return Optional.of("PostgreSQL stopped (no " + d.resolve("postmaster.pid") + ")");
      }
    }
    if (System.nanoTime() - lastActivity > idle.toNanos()) {
      return Optional.of("PostgreSQL asked for no WAL for " + idle.toSeconds() + " s");
    }
    return Optional.empty();
  }

  /** Moves the window to what PostgreSQL asked for last: get-wal's request, the spool taken. */
  private void follow() throws IOException {
    Optional<Spool.Request> r = spool.lastRequest();
    if (r.isPresent() && !r.get().raw().equals(lastRequest)) {
      lastRequest = r.get().raw();
      Optional<WalFileName.Segment> s = parse(r.get().segment());
      if (s.isPresent()) {
        moveTo(r.get().found() ? s.get().next() : s.get());
      }
    }
    for (String name : spooled) {
      if (!Files.exists(spool.file(name)) && spooled.remove(name)) {
        taken++; // the restore command moved it away
        Optional<WalFileName.Segment> s = parse(name);
        if (s.isPresent()
            && (next == null
                || (s.get().timeline().equals(next.timeline()) && s.get().compareTo(next) >= 0))) {
          moveTo(s.get().next());
        } else {
          lastActivity = System.nanoTime();
        }
      }
    }
  }

  private void moveTo(WalFileName.Segment wanted) {
    if (!wanted.equals(next)) {
      next = wanted;
      retryAt.clear();
      pauseMs = FIRST_PAUSE_MS;
    }
    lastActivity = System.nanoTime();
  }

  private boolean inWindow(WalFileName.Segment s) {
    return next != null
        && s.timeline().equals(next.timeline())
        && s.segmentNumber() >= next.segmentNumber()
        && s.segmentNumber() - next.segmentNumber() < depth;
  }

  /** Deletes the spooled segments outside the window. */
  private void trim() throws IOException {
    if (next == null) {
      return;
    }
    for (String name : spool.list()) {
      if (Spool.isSegmentName(name) && parse(name).filter(this::inWindow).isEmpty()) {
        boolean ours = spooled.remove(name);
        try {
          Files.delete(spool.file(name));
          if (ours) {
            unused++;
          }
        } catch (NoSuchFileException e) {
          if (ours) {
            taken++; // taken by the restore command just now
          }
        }
      }
    }
  }

  /** Empty for a name impossible with this segment size: not one PostgreSQL will ask for. */
  private Optional<WalFileName.Segment> parse(String name) {
    try {
      return Optional.of(WalFileName.Segment.parse(name, size));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Takes the ends of fetches; a refusal by the server ends the run (its reason). */
  private Optional<String> collect() {
    for (Done d; (d = done.poll()) != null; ) {
      inFlight.remove(d.name());
      if (d.failure().isEmpty()) {
        fetched++;
        warned = false;
        continue;
      }
      Exception e = d.failure().get();
      if (e instanceof PermanentException) {
        LOG.error("fetching {}: {}", d.name(), e.getMessage());
        return Optional.of("the Klio server refused to serve " + d.name() + ": " + e.getMessage());
      }
      if (e instanceof NotFoundException) {
        LOG.debug("{} is not archived yet", d.name());
      } else if (!warned) {
        warned = true; // once until a fetch succeeds again
        LOG.warn("prefetching {}: {}; trying again in a while", d.name(), e.toString());
      }
      retryAt.put(d.name(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs));
      pauseMs = Math.min(pauseMs * 2, LONGEST_PAUSE_MS);
    }
    return Optional.empty();
  }

  /** Starts fetches of the window's missing segments, in order, up to where the archive ends. */
  private void schedule(ExecutorService pool) {
    if (next == null) {
      return;
    }
    WalFileName.Segment s = next;
    for (int i = 0; i < depth && inFlight.size() < PARALLEL; i++, s = s.next()) {
      String name = s.toString();
      Long at = retryAt.get(name);
      if (at != null && at - System.nanoTime() > 0) {
        return; // the archive ends here for now: nothing after it exists either
      }
      if (inFlight.contains(name) || Files.exists(spool.file(name))) {
        continue;
      }
      retryAt.remove(name);
      inFlight.add(name);
      pool.execute(() -> done.add(new Done(name, fetch(name))));
    }
  }

  private Optional<Exception> fetch(String name) {
    try {
      WalFetcher.Fetched f = fetcher.fetch(name, Duration.ofSeconds(60));
      if (f.partial()) {
        // the newest segment of a failed primary: get-wal serves it, the spool never does
        return Optional.of(new NotFoundException(name + " is only archived as .partial"));
      }
      DurableFiles.write(spool.file(name), f.content());
      spooled.add(name); // after the rename: a file taken from now on is counted as taken
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of(e);
    }
  }

  /**
   * At the start: deletes what a killed prefetcher was writing, and adopts the complete segments it
   * left (they were renamed into place whole).
   */
  private void removeTemporaries() {
    try {
      for (String name : spool.list()) {
        if (Spool.isSegmentTemporary(name)) {
          Files.deleteIfExists(spool.file(name));
        } else if (Spool.isSegmentName(name)) {
          spooled.add(name);
        }
      }
    } catch (IOException e) {
      LOG.warn("cleaning the spool {}: {}", spool.dir(), e.toString());
    }
  }

  /** At the end: every spooled segment and temporary file, so nothing stale stays behind. */
  private void clear() {
    try {
      for (String name : spool.list()) {
        if (Spool.isSegmentName(name) || Spool.isSegmentTemporary(name)) {
          boolean ours = spooled.remove(name);
          if (Files.deleteIfExists(spool.file(name)) && ours) {
            unused++;
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cleaning the spool {}: {}", spool.dir(), e.toString());
    }
  }
}
