package io.klio.server.prefetch;

import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.io.DurableFiles;
import io.klio.client.WalFetcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * <p>It also answers the restore command's asks ({@link Spool}: {@code ask.<id>}): a segment it
 * spools (or has already), a history file or the {@code .partial} of a segment (as get-wal serves
 * it) it puts in {@code reply.<id>}, "missing" when the archive does not hold it, "defer" (get-wal
 * decides) for anything else, such as a server that cannot be reached. A watch on the spool wakes
 * it as soon as an ask arrives, so a miss costs a round trip to the server instead of a JVM.
 *
 * <p>One thread ({@link #run}) decides; {@value #PARALLEL} threads fetch over the one connection,
 * and one more fetches what the restore command asks for. Not reusable: {@link #run} once.
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
  private final Duration awaitStart;
  private final long started = System.nanoTime();
  private boolean postgresSeen;
  private long recoveryOverAt;

  /**
   * How long the run goes on answering after the signal files are gone: PostgreSQL removes them at
   * the end of recovery, then still asks for the history file of the timeline it leaves.
   */
  static final Duration AFTER_RECOVERY = Duration.ofSeconds(10);

  /** An ask waiting for a fetch: its id, and when it came ({@link System#nanoTime}). */
  private record Ask(String id, long asked) {}

  /** Asks waiting for the fetch of a segment under way, by segment name. */
  private final Map<String, List<Ask>> waiting = new HashMap<>();

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

  /** Not a fetch: the watch on the spool saw a change. */
  private static final Done WAKE = new Done("", Optional.empty());

  /**
   * The archive holds only the {@code .partial} of a segment: never spooled (the window waits for
   * the whole segment), but served to an ask as get-wal serves it, as the segment's content.
   */
  private static final class PartialOnly extends IOException {
    private final transient byte[] content;

    PartialOnly(String name, byte[] content) {
      super(name + " is only archived as .partial");
      this.content = content;
    }
  }

  /** The words of an answer ({@link Spool}). */
  static final String SPOOLED = "spooled";

  static final String FILE = "file";
  static final String MISSING = "missing";
  static final String DEFER = "defer";

  /**
   * @param dataDirectory PostgreSQL's data directory when known: the run ends when its recovery is
   *     over (neither {@code recovery.signal} nor {@code standby.signal} left) or PostgreSQL
   *     stopped (no {@code postmaster.pid})
   * @param idle the run ends when PostgreSQL asked for nothing for this long
   * @param from the segment PostgreSQL will want first, when known (a restore knows its backup's
   *     first WAL file): the window starts there before anything is asked
   * @param awaitStart how long PostgreSQL may take to start (until its {@code postmaster.pid}
   *     appears in {@code dataDirectory}) before the run ends; zero when it runs already. Idle time
   *     counts from its start.
   */
  Prefetcher(
      Spool spool,
      WalFetcher fetcher,
      WalSegmentSize size,
      int depth,
      Optional<Path> dataDirectory,
      Duration idle,
      Optional<WalFileName.Segment> from,
      Duration awaitStart) {
    this.spool = spool;
    this.fetcher = fetcher;
    this.size = size;
    this.depth = depth;
    this.dataDirectory = dataDirectory;
    this.idle = idle;
    this.next = from.orElse(null);
    this.awaitStart = awaitStart;
  }

  /**
   * Runs until recovery is over, PostgreSQL stopped, the spool (or the directory it is in) is gone,
   * PostgreSQL asked for nothing for {@code idle}, or the server refuses us; then deletes every
   * spooled segment and temporary file.
   */
  Outcome run() throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    ExecutorService asks = Executors.newSingleThreadExecutor();
    Optional<Thread> watch = watch();
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
          answerAsks(asks);
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
      watch.ifPresent(Thread::interrupt);
      pool.shutdownNow();
      asks.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
      asks.awaitTermination(30, TimeUnit.SECONDS);
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
      Path pid = d.resolve("postmaster.pid");
      if (!postgresSeen) {
        if (Files.exists(pid)) {
          postgresSeen = true;
          lastActivity = System.nanoTime(); // idle time counts from PostgreSQL's start
        } else if (awaitStart.isZero()) {
          return Optional.of("PostgreSQL stopped (no " + pid + ")");
        } else if (System.nanoTime() - started > awaitStart.toNanos()) {
          return Optional.of("PostgreSQL did not start within " + awaitStart.toSeconds() + " s");
        } else {
          return Optional.empty(); // waiting for PostgreSQL (and its signal file) to appear
        }
      }
      if (!Files.exists(d.resolve("recovery.signal"))
          && !Files.exists(d.resolve("standby.signal"))) {
        if (recoveryOverAt == 0) {
          recoveryOverAt = System.nanoTime();
        }
        if (System.nanoTime() - recoveryOverAt > AFTER_RECOVERY.toNanos() || !Files.exists(pid)) {
          return Optional.of("the recovery of " + d + " is over");
        }
        return Optional.empty();
      }
      recoveryOverAt = 0;
      if (!Files.exists(pid)) {
        return Optional.of("PostgreSQL stopped (no " + pid + ")");
      }
    }
    if (System.nanoTime() - lastActivity > idle.toNanos()) {
      return Optional.of("PostgreSQL asked for no WAL for " + idle.toSeconds() + " s");
    }
    return Optional.empty();
  }

  /**
   * Wakes the run loop when something changes in the spool (an ask arrives, a segment is taken):
   * without it, the loop looks every 100 ms. Empty when the watch cannot be set up.
   */
  private Optional<Thread> watch() {
    WatchService ws;
    try {
      ws = spool.dir().getFileSystem().newWatchService();
      spool
          .dir()
          .register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("no watch on {}: {}", spool.dir(), e.toString());
      return Optional.empty();
    }
    Thread t =
        new Thread(
            () -> {
              try (ws) {
                while (true) {
                  WatchKey k = ws.take();
                  k.pollEvents();
                  done.add(WAKE);
                  if (!k.reset()) {
                    return; // the spool is gone: stopReason() says so
                  }
                }
              } catch (InterruptedException | IOException | ClosedWatchServiceException e) {
                // the run is over
              }
            },
            "prefetch-watch");
    t.setDaemon(true);
    t.start();
    return Optional.of(t);
  }

  /** Takes the restore command's asks and starts answering them. */
  private void answerAsks(ExecutorService asks) throws IOException {
    for (String file : spool.list()) {
      Optional<String> id = Spool.askId(file);
      if (id.isEmpty()) {
        continue;
      }
      String wanted;
      try {
        wanted = Files.readString(spool.askFile(id.get()), StandardCharsets.US_ASCII).strip();
        Files.delete(spool.askFile(id.get()));
      } catch (NoSuchFileException gone) {
        continue;
      }
      lastActivity = System.nanoTime();
      ask(id.get(), wanted, asks);
    }
  }

  private void ask(String id, String wanted, ExecutorService asks) {
    WalFileName w;
    try {
      w = WalFileName.parse(wanted, size);
    } catch (IllegalArgumentException e) {
      answer(id, wanted, DEFER, System.nanoTime());
      return;
    }
    long asked = System.nanoTime();
    if (w instanceof WalFileName.Segment s) {
      moveTo(s); // PostgreSQL wants it now: the window starts there
      if (Files.exists(spool.file(wanted))) {
        answer(id, wanted, SPOOLED, asked);
        return;
      }
      waiting.computeIfAbsent(wanted, k -> new ArrayList<>()).add(new Ask(id, asked));
      if (inFlight.add(wanted)) {
        asks.execute(() -> done.add(new Done(wanted, fetch(wanted))));
      }
    } else if (w instanceof WalFileName.History) {
      asks.execute(() -> answer(id, wanted, reply(id, wanted), asked));
    } else {
      answer(id, wanted, DEFER, asked); // .partial and .backup files: get-wal
    }
  }

  /** Fetches a history file into {@code reply.<id>}: the word of the answer. */
  private String reply(String id, String name) {
    try {
      DurableFiles.write(
          spool.replyFile(id), fetcher.fetch(name, Duration.ofSeconds(60)).content());
      return FILE;
    } catch (NotFoundException e) {
      return MISSING;
    } catch (IOException | RuntimeException e) {
      LOG.debug("fetching {}: {}", name, e.toString());
      return DEFER;
    }
  }

  /** Writes {@code answer.<id>} (renamed into place whole; not durable, as it need not be). */
  private void answer(String id, String name, String word, long asked) {
    Path target = spool.answerFile(id);
    Path tmp = spool.file(".answer." + id);
    try {
      Files.writeString(tmp, word + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      LOG.info(
          "asked for {}: {} ({} ms)",
          name,
          word,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));
    } catch (IOException e) {
      LOG.warn("answering the ask {} for {}: {}", id, name, e.toString());
    }
  }

  /** Answers the asks that wait for the fetch of {@code name}. */
  private void answerWaiting(String name, String word) {
    for (Ask a : waiting.getOrDefault(name, List.of())) {
      answer(a.id(), name, word, a.asked());
    }
    waiting.remove(name);
  }

  /**
   * Answers the asks that wait for a segment the archive only holds as {@code .partial}: its
   * content in each one's {@code reply.<id>}, as get-wal serves it.
   */
  private void answerWaitingWithPartial(String name, byte[] content) {
    for (Ask a : waiting.getOrDefault(name, List.of())) {
      String word;
      try {
        DurableFiles.write(spool.replyFile(a.id()), content);
        word = FILE;
      } catch (IOException e) {
        LOG.warn("writing the reply to {} for {}: {}", a.id(), name, e.toString());
        word = DEFER;
      }
      answer(a.id(), name + " (its .partial)", word, a.asked());
    }
    waiting.remove(name);
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
      if (d == WAKE) {
        continue;
      }
      inFlight.remove(d.name());
      if (d.failure().isEmpty()) {
        fetched++;
        warned = false;
        answerWaiting(d.name(), SPOOLED);
        continue;
      }
      Exception e = d.failure().get();
      if (e instanceof PartialOnly p) {
        answerWaitingWithPartial(d.name(), p.content);
      } else {
        answerWaiting(d.name(), e instanceof NotFoundException ? MISSING : DEFER);
      }
      if (e instanceof PermanentException) {
        LOG.error("fetching {}: {}", d.name(), e.getMessage());
        return Optional.of("the Klio server refused to serve " + d.name() + ": " + e.getMessage());
      }
      if (e instanceof NotFoundException || e instanceof PartialOnly) {
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
        return Optional.of(new PartialOnly(name, f.content()));
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
        } else if (Spool.isExchange(name) && Spool.askId(name).isEmpty()) {
          // a launcher may be writing its .ask.<pid> right now (then renames it): only old ones
          Path f = spool.file(name);
          if (!name.startsWith(".ask.")
              || (Files.exists(f)
                  && Files.getLastModifiedTime(f).toMillis()
                      < System.currentTimeMillis() - 60_000)) {
            Files.deleteIfExists(f);
          }
        } else if (Spool.isSegmentName(name)) {
          spooled.add(name);
        }
      }
    } catch (IOException e) {
      LOG.warn("cleaning the spool {}: {}", spool.dir(), e.toString());
    }
  }

  /**
   * At the end: every spooled segment and temporary file, so nothing stale stays behind; asks not
   * answered yet are answered "defer" (get-wal takes over), the other ask, answer and reply files
   * removed.
   */
  private void clear() {
    for (String name : List.copyOf(waiting.keySet())) {
      answerWaiting(name, DEFER);
    }
    try {
      for (String name : spool.list()) {
        Optional<String> ask = Spool.askId(name);
        if (ask.isPresent()) {
          Files.deleteIfExists(spool.file(name));
          answer(ask.get(), "(an ask left at the end)", DEFER, System.nanoTime());
        } else if (Spool.isExchange(name) && !name.startsWith("answer.")) {
          Files.deleteIfExists(spool.file(name)); // an answer is the asker's to remove
        }
      }
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
