package io.klio.walstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalSegmentSize;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.walstream.sink.DirectoryWalSink;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Timeline switches and synchronous replication against real servers. */
class TimelineAndSyncIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  @ParameterizedTest
  @MethodSource("versions")
  void followsAPromotionToTheNextTimeline(int major) throws Exception {
    PostgresServer primary = pg.start(PostgresConfig.of(major));
    Wal.generate(primary, 1);
    PostgresServer standby = pg.adopt(primary.createStandby());
    primary.sql("CREATE TABLE before_promotion AS SELECT 1");
    Path dir = tmp.resolve("wal");
    DirectoryWalSink sink = new DirectoryWalSink(dir);
    WalReceiver receiver =
        new WalReceiver(
            Wal.tcp(standby),
            sink,
            WalReceiverOptions.defaults().withStatusInterval(Duration.ofSeconds(1)));
    Future<WalReceiver.Outcome> run = pool.submit(receiver::run);
    waitFor(() -> receiver.receivedLsn().isValid(), "the receiver to stream from the standby", run);

    standby.promote();
    Wal.generate(standby, 2);
    String newSegment = standby.sql("SELECT pg_walfile_name(pg_current_wal_lsn())");
    waitFor(
        () -> segmentsOf(dir).stream().anyMatch(n -> n.startsWith("00000002") && n.length() == 24),
        "a complete segment of timeline 2",
        run);
    receiver.stop();
    assertThat(run.get(60, TimeUnit.SECONDS)).isEqualTo(WalReceiver.Outcome.STOPPED);
    sink.close();

    List<String> files = segmentsOf(dir);
    assertThat(Files.readAllBytes(dir.resolve("00000002.history")))
        .isEqualTo(Files.readAllBytes(standby.dataDirectory().resolve("pg_wal/00000002.history")));
    assertThat(files)
        .as("the old timeline's last segment stays partial")
        .anyMatch(n -> n.startsWith("00000001") && n.endsWith(".partial"));
    for (String n : files) {
      if (n.length() == 24 && n.startsWith("00000002")) {
        assertThat(
                Files.mismatch(
                    dir.resolve(n), standby.dataDirectory().resolve("pg_wal").resolve(n)))
            .as(n)
            .isEqualTo(-1L);
      }
    }
    assertThat(newSegment).startsWith("00000002");
  }

  @ParameterizedTest
  @MethodSource("versions")
  void synchronousStandbyHoldsCommitsUntilWalIsDurable(int major) throws Exception {
    PostgresServer s =
        pg.start(PostgresConfig.of(major).with("synchronous_standby_names", "'klio'"));
    Path dir = tmp.resolve("wal");
    WalReceiverOptions opts =
        WalReceiverOptions.defaults()
            .withSlot("klio", true)
            .withSynchronous(true)
            .withStatusInterval(Duration.ofSeconds(10));
    s.sql("SET synchronous_commit = local; CREATE TABLE t (v int)");

    DirectoryWalSink sink = new DirectoryWalSink(dir);
    WalReceiver receiver = new WalReceiver(Wal.tcp(s), sink, opts);
    Future<WalReceiver.Outcome> run = runAsSynchronousStandby(s, receiver);
    Lsn before = Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));
    s.sql("INSERT INTO t VALUES (1)"); // returns only once the receiver reported it durable
    Lsn reported =
        Lsn.parse(
            s.sql("SELECT flush_lsn FROM pg_stat_replication WHERE application_name = 'klio'"));
    assertThat(reported)
        .as("the commit was released by a flush report past it")
        .isGreaterThan(before);
    assertThat(reported)
        .as("reported flush never ahead of durable")
        .isLessThanOrEqualTo(sink.durableLsn());
    receiver.stop();
    run.get(60, TimeUnit.SECONDS);
    sink.close();

    // with the receiver stopped, a commit waits for it
    Process insert = s.sqlAsync("INSERT INTO t VALUES (2)");
    waitFor(
        () ->
            s.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'").equals("1"),
        "the commit to wait for the synchronous standby",
        null);
    assertThat(insert.isAlive()).isTrue();
    assertThat(s.sql("SELECT count(*) FROM t")).as("the waiting row is not visible").isEqualTo("1");

    // once the receiver runs again, the commit completes
    DirectoryWalSink sink2 = new DirectoryWalSink(dir);
    WalReceiver again = new WalReceiver(Wal.tcp(s), sink2, opts);
    Future<WalReceiver.Outcome> run2 = pool.submit(again::run);
    assertThat(insert.waitFor(60, TimeUnit.SECONDS)).as("the commit completed").isTrue();
    assertThat(insert.exitValue()).isZero();
    assertThat(s.sql("SELECT count(*) FROM t")).isEqualTo("2");
    Lsn reported2 =
        Lsn.parse(
            s.sql("SELECT flush_lsn FROM pg_stat_replication WHERE application_name = 'klio'"));
    assertThat(reported2).isLessThanOrEqualTo(sink2.durableLsn());
    again.stop();
    run2.get(60, TimeUnit.SECONDS);
    sink2.close();
  }

  /**
   * A sink that flushes in the background ({@link WalSink#requestFlush()} returns at once): the
   * receiver goes on reading WAL while a flush is outstanding, and a commit is released by the
   * report sent when the sink says the flush is done, not by a periodic status (turned off here).
   */
  @ParameterizedTest
  @MethodSource("versions")
  void aSinkThatFlushesInTheBackgroundReleasesCommitsWhenItReportsTheFlush(int major)
      throws Exception {
    PostgresServer s =
        pg.start(PostgresConfig.of(major).with("synchronous_standby_names", "'klio'"));
    WalReceiverOptions opts =
        WalReceiverOptions.defaults()
            .withSlot("klio", true)
            .withSynchronous(true)
            .withStatusInterval(Duration.ZERO);
    s.sql("SET synchronous_commit = local; CREATE TABLE t (v int)");
    try (BackgroundFlushSink sink = new BackgroundFlushSink(tmp.resolve("wal"))) {
      WalReceiver receiver = new WalReceiver(Wal.tcp(s), sink, opts);
      Future<WalReceiver.Outcome> run = runAsSynchronousStandby(s, receiver);

      sink.gate.set(new CountDownLatch(1)); // flushes wait from now on
      int before = sink.requests.get();
      Process first = s.sqlAsync("INSERT INTO t VALUES (1)");
      waitFor(
          () ->
              sink.requests.get() > before
                  && s.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")
                      .equals("1"),
          "the first commit to wait, its flush asked for",
          run);
      Process second = s.sqlAsync("INSERT INTO t VALUES (2)");
      waitFor(
          () ->
              s.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")
                  .equals("2"),
          "both commits to wait for the synchronous standby",
          run);
      Lsn end = Lsn.parse(s.sql("SELECT pg_current_wal_flush_lsn()"));
      waitFor(
          () -> !receiver.receivedLsn().isBefore(end),
          "the receiver to read the second commit while the first one's flush is outstanding",
          run);
      assertThat(first.isAlive() && second.isAlive()).isTrue();

      sink.gate.get().countDown(); // the flushes complete; each is reported at once
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("the first commit completed").isTrue();
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("the second commit completed").isTrue();
      assertThat(s.sql("SELECT count(*) FROM t")).isEqualTo("2");
      Lsn reported =
          Lsn.parse(
              s.sql("SELECT flush_lsn FROM pg_stat_replication WHERE application_name = 'klio'"));
      assertThat(reported).isGreaterThanOrEqualTo(end);
      assertThat(reported).isLessThanOrEqualTo(sink.durableLsn());
      receiver.stop();
      run.get(60, TimeUnit.SECONDS);
    }
  }

  /** A directory sink whose flushes run on a thread of its own, each after {@link #gate} opens. */
  private static final class BackgroundFlushSink implements WalSink {
    final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
    final AtomicInteger requests = new AtomicInteger();
    private final DirectoryWalSink delegate;
    private final ExecutorService flusher = Executors.newSingleThreadExecutor();

    BackgroundFlushSink(Path dir) throws IOException {
      this.delegate = new DirectoryWalSink(dir);
    }

    @Override
    public boolean requestFlush() {
      requests.incrementAndGet();
      flusher.execute(
          () -> {
            try {
              flush();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      return true;
    }

    @Override
    public void flush() throws IOException {
      try {
        gate.get().await();
      } catch (InterruptedException e) {
        throw new InterruptedIOException();
      }
      synchronized (delegate) {
        delegate.flush(); // tells the listener given to open
      }
    }

    @Override
    public Optional<StoredSegment> newestSegment(WalSegmentSize size) throws IOException {
      return delegate.newestSegment(size);
    }

    @Override
    public Optional<SystemIdentifier> systemIdentifier() throws IOException {
      return delegate.systemIdentifier();
    }

    @Override
    public void open(StreamInfo info, DurabilityListener listener) throws IOException {
      synchronized (delegate) {
        delegate.open(info, listener);
      }
    }

    @Override
    public void write(TimelineId timeline, Lsn start, byte[] data, int offset, int length)
        throws IOException {
      synchronized (delegate) {
        delegate.write(timeline, start, data, offset, length);
      }
    }

    @Override
    public void endOfTimeline(TimelineId timeline, Lsn end) throws IOException {
      synchronized (delegate) {
        delegate.endOfTimeline(timeline, end);
      }
    }

    @Override
    public void writeHistory(TimelineId timeline, byte[] content) throws IOException {
      synchronized (delegate) {
        delegate.writeHistory(timeline, content);
      }
    }

    @Override
    public boolean hasHistory(TimelineId timeline) throws IOException {
      synchronized (delegate) {
        return delegate.hasHistory(timeline);
      }
    }

    @Override
    public Lsn durableLsn() {
      return delegate.durableLsn();
    }

    @Override
    public void close() throws IOException {
      flusher.shutdownNow();
      synchronized (delegate) {
        delegate.close();
      }
    }
  }

  /** Runs the receiver and waits until PostgreSQL counts it as its synchronous standby. */
  private Future<WalReceiver.Outcome> runAsSynchronousStandby(
      PostgresServer s, WalReceiver receiver) throws Exception {
    Future<WalReceiver.Outcome> run = pool.submit(receiver::run);
    waitFor(
        () ->
            s.sql("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'klio'")
                .equals("sync"),
        "the receiver to become the synchronous standby",
        run);
    return run;
  }

  private static List<String> segmentsOf(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void waitFor(BooleanSupplier condition, String what, Future<?> run)
      throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (!condition.getAsBoolean()) {
      if (run != null && run.isDone()) {
        run.get(); // surfaces the receiver's failure
        throw new AssertionError("the receiver ended while waiting for " + what);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
