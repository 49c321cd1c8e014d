package io.klio.server.prefetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.RetryableException;
import io.klio.client.WalFetcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefetcher's side of the restore command's asks ({@link Spool}), over a scripted archive: the
 * shell's side (the klio launcher) runs against a real server in PrefetchIT.
 */
class PrefetcherTest {

  private static final WalSegmentSize SIZE = WalSegmentSize.ofMegabytes(1);

  @TempDir Path tmp;

  private final ExecutorService runner = Executors.newSingleThreadExecutor();

  /** A scripted archive: complete files, segments only held as .partial, names that fail. */
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  private final Map<String, Boolean> partial = new ConcurrentHashMap<>();
  private final Map<String, Integer> fetches = new ConcurrentHashMap<>();

  private final WalFetcher archive =
      new WalFetcher() {
        @Override
        public Optional<WalSegmentSize> segmentSize() {
          return Optional.of(SIZE);
        }

        @Override
        public Fetched fetch(String name, Duration deadline) throws IOException {
          fetches.merge(name, 1, Integer::sum);
          if (name.startsWith("FFFFFFFF")) {
            throw new RetryableException("the server at 127.0.0.1:1 is unreachable");
          }
          byte[] b = files.get(name);
          if (b == null) {
            throw new NotFoundException(name + " is not archived");
          }
          return new Fetched(b, partial.getOrDefault(name, false));
        }
      };

  @AfterEach
  void stop() throws InterruptedException {
    runner.shutdownNow();
    assertThat(runner.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static String segment(long n) {
    return WalFileName.Segment.of(io.klio.api.TimelineId.of(1), n, SIZE).toString();
  }

  private static byte[] content(String name) {
    return (name + " content").getBytes(StandardCharsets.US_ASCII);
  }

  private Future<Prefetcher.Outcome> start(
      Spool spool, Optional<Path> dataDirectory, Optional<String> from, Duration awaitStart)
      throws IOException {
    Files.createDirectories(spool.dir());
    Prefetcher p =
        new Prefetcher(
            spool,
            archive,
            SIZE,
            4,
            dataDirectory,
            Duration.ofSeconds(30),
            from.map(f -> WalFileName.Segment.parse(f, SIZE)),
            awaitStart);
    return runner.submit(p::run);
  }

  /** What the klio launcher does: writes the ask, waits for the answer word. */
  private static String ask(Spool spool, String id, String name) throws Exception {
    Path tmp = spool.file(".ask." + id);
    Files.writeString(tmp, name + "\n");
    Files.move(tmp, spool.askFile(id));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try {
        String word = Files.readString(spool.answerFile(id)).strip();
        Files.delete(spool.answerFile(id));
        return word;
      } catch (NoSuchFileException notYet) {
        Thread.sleep(5);
      }
    }
    throw new AssertionError("no answer to the ask for " + name + " within 20 s");
  }

  @Test
  void asksAreAnsweredFromTheArchiveAndMoveTheWindow() throws Exception {
    for (long n = 1; n <= 20; n++) {
      files.put(segment(n), content(segment(n)));
    }
    files.put("00000002.history", content("00000002.history"));
    files.put(segment(21), content(segment(21)));
    partial.put(segment(21), true);
    Spool spool = new Spool(tmp.resolve("spool"));
    Future<Prefetcher.Outcome> run =
        start(spool, Optional.empty(), Optional.empty(), Duration.ZERO);

    // a history file: into reply.<id>
    assertThat(ask(spool, "11", "00000002.history")).isEqualTo(Prefetcher.FILE);
    assertThat(Files.readAllBytes(spool.replyFile("11"))).isEqualTo(content("00000002.history"));
    // not in the archive: "missing" (the restore command exits 1)
    assertThat(ask(spool, "12", "00000003.history")).isEqualTo(Prefetcher.MISSING);
    assertThat(ask(spool, "13", segment(40))).isEqualTo(Prefetcher.MISSING);
    assertThat(spool.file(segment(40))).doesNotExist();
    // a segment: spooled under its name, and the window follows it
    assertThat(ask(spool, "14", segment(5))).isEqualTo(Prefetcher.SPOOLED);
    assertThat(Files.readAllBytes(spool.file(segment(5)))).isEqualTo(content(segment(5)));
    Files.delete(spool.file(segment(5))); // taken, as the restore command does
    await(
        "the window after " + segment(5),
        () -> Files.exists(spool.file(segment(6))) && Files.exists(spool.file(segment(9))));
    assertThat(spool.file(segment(10))).as("the window is 4 segments deep").doesNotExist();
    // already spooled: answered without fetching again
    int before = fetches.get(segment(7));
    assertThat(ask(spool, "15", segment(7))).isEqualTo(Prefetcher.SPOOLED);
    assertThat(fetches.get(segment(7))).isEqualTo(before);
    // a segment only held as .partial: served as get-wal serves it, never spooled
    assertThat(ask(spool, "16", segment(21))).isEqualTo(Prefetcher.FILE);
    assertThat(Files.readAllBytes(spool.replyFile("16"))).isEqualTo(content(segment(21)));
    assertThat(spool.file(segment(21))).doesNotExist();
    // what get-wal must answer: a name that is no WAL file, .partial and .backup names, a server
    // that cannot be reached
    assertThat(ask(spool, "17", "not-a-wal-file")).isEqualTo(Prefetcher.DEFER);
    assertThat(ask(spool, "18", segment(3) + ".partial")).isEqualTo(Prefetcher.DEFER);
    assertThat(ask(spool, "19", "FFFFFFFF.history")).isEqualTo(Prefetcher.DEFER);
    assertThat(run.isDone()).isFalse();

    // the run ends when the spool is gone
    Path gone = tmp.resolve("gone");
    Files.move(spool.dir(), gone);
    Prefetcher.Outcome o = run.get(30, TimeUnit.SECONDS);
    assertThat(o.reason()).contains("is gone");
  }

  @Test
  void beforePostgresStartsItFillsTheWindowFromTheFirstSegmentThenWaitsNoLongerThanAllowed()
      throws Exception {
    for (long n = 1; n <= 8; n++) {
      files.put(segment(n), content(segment(n)));
    }
    Path pgdata = Files.createDirectories(tmp.resolve("pgdata"));
    Files.createFile(pgdata.resolve("recovery.signal"));
    Spool spool = new Spool(pgdata.resolve("pg_wal").resolve("klio-prefetch"));
    long t0 = System.nanoTime();
    Future<Prefetcher.Outcome> run =
        start(spool, Optional.of(pgdata), Optional.of(segment(3)), Duration.ofSeconds(3));
    await(
        "the window from " + segment(3),
        () -> Files.exists(spool.file(segment(3))) && Files.exists(spool.file(segment(6))));
    assertThat(spool.file(segment(2))).doesNotExist();
    assertThat(spool.file(segment(7))).doesNotExist();
    Prefetcher.Outcome o = run.get(30, TimeUnit.SECONDS);
    assertThat(o.reason()).isEqualTo("PostgreSQL did not start within 3 s");
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(3));
    assertThat(spool.file(segment(3))).as("cleared at the end").doesNotExist();
  }

  @Test
  void oncePostgresStartedItsStopEndsTheRun() throws Exception {
    files.put(segment(1), content(segment(1)));
    Path pgdata = Files.createDirectories(tmp.resolve("pgdata"));
    Files.createFile(pgdata.resolve("recovery.signal"));
    Spool spool = new Spool(pgdata.resolve("pg_wal").resolve("klio-prefetch"));
    Future<Prefetcher.Outcome> run =
        start(spool, Optional.of(pgdata), Optional.of(segment(1)), Duration.ofSeconds(600));
    await("the first segment", () -> Files.exists(spool.file(segment(1))));
    Files.createFile(pgdata.resolve("postmaster.pid"));
    assertThat(ask(spool, "21", segment(1))).isEqualTo(Prefetcher.SPOOLED);
    Files.delete(pgdata.resolve("postmaster.pid"));
    Prefetcher.Outcome o = run.get(30, TimeUnit.SECONDS);
    assertThat(o.reason()).startsWith("PostgreSQL stopped");
  }

  @Test
  void afterTheSignalFileIsGoneItStillAnswersTheLastHistoryAskThenEnds() throws Exception {
    files.put(segment(1), content(segment(1)));
    Path pgdata = Files.createDirectories(tmp.resolve("pgdata"));
    Files.createFile(pgdata.resolve("recovery.signal"));
    Files.createFile(pgdata.resolve("postmaster.pid"));
    Spool spool = new Spool(pgdata.resolve("pg_wal").resolve("klio-prefetch"));
    Future<Prefetcher.Outcome> run =
        start(spool, Optional.of(pgdata), Optional.empty(), Duration.ZERO);
    assertThat(ask(spool, "31", segment(1))).isEqualTo(Prefetcher.SPOOLED);
    // PostgreSQL removes recovery.signal at the end of recovery, then asks for the history file of
    // the timeline it leaves
    long t0 = System.nanoTime();
    Files.delete(pgdata.resolve("recovery.signal"));
    Thread.sleep(300);
    assertThat(ask(spool, "32", "00000001.history")).isEqualTo(Prefetcher.MISSING);
    Prefetcher.Outcome o = run.get(30, TimeUnit.SECONDS);
    assertThat(o.reason()).isEqualTo("the recovery of " + pgdata + " is over");
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Prefetcher.AFTER_RECOVERY.toNanos());
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
