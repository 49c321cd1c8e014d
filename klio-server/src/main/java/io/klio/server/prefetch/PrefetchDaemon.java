package io.klio.server.prefetch;

import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.KlioException;
import io.klio.client.KlioConnection;
import io.klio.client.WalFetcher;
import io.klio.server.config.ClientConfig;
import io.klio.server.config.ConfigException;
import io.klio.server.config.Logging;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prefetcher process of one spool: {@code PrefetchDaemon --config FILE --spool DIR
 * [--data-directory DIR] [--idle SECONDS] [--from SEGMENT --await-start SECONDS]}, started by
 * {@link PrefetchLauncher} (never by hand): by get-wal at PostgreSQL's first WAL file, or by {@code
 * klio restore} before PostgreSQL starts, with the backup's first segment and the time PostgreSQL
 * may take to start.
 *
 * <p>It takes the spool's {@code prefetch.lock} (or, when another process holds it, prints {@code
 * busy} and exits 0), writes its process id into it, prints {@code locked <pid>} on stdout (which
 * the launcher waits for) and closes stdout; from then on it logs to stderr, which the launcher
 * sends to the spool's {@code prefetch.log}. It opens one connection to the server and runs a
 * {@link Prefetcher} of {@code getWal.prefetch} segments until that ends, then logs what it did
 * ({@code prefetcher exits: <reason>; <n> segments prefetched, <n> taken by the restore command,
 * <n> deleted unused}) and exits 0. A configuration it cannot use exits 2, after saying why on
 * stdout and stderr.
 */
public final class PrefetchDaemon {

  private static final Logger LOG = LoggerFactory.getLogger(PrefetchDaemon.class);

  /** How long PostgreSQL may ask for nothing before the prefetcher exits. */
  static final Duration IDLE = Duration.ofSeconds(60);

  private PrefetchDaemon() {}

  public static void main(String[] args) {
    if (System.getProperty("io.grpc.netty.shaded.io.netty.leakDetection.level") == null) {
      System.setProperty("io.grpc.netty.shaded.io.netty.leakDetection.level", "disabled");
    }
    System.exit(run(args));
  }

  private static int run(String[] args) {
    Path config = null;
    Path spoolDir = null;
    Optional<Path> dataDirectory = Optional.empty();
    Duration idle = IDLE;
    Optional<String> from = Optional.empty();
    Duration awaitStart = Duration.ZERO;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--config" -> config = Path.of(args[i + 1]);
        case "--spool" -> spoolDir = Path.of(args[i + 1]);
        case "--data-directory" -> dataDirectory = Optional.of(Path.of(args[i + 1]));
        case "--idle" -> idle = Duration.ofSeconds(Long.parseLong(args[i + 1]));
        case "--from" -> from = Optional.of(args[i + 1]);
        case "--await-start" -> awaitStart = Duration.ofSeconds(Long.parseLong(args[i + 1]));
        default -> {
          return refuse("unknown option " + args[i]);
        }
      }
    }
    if (config == null || spoolDir == null || args.length % 2 != 0) {
      return refuse("usage: PrefetchDaemon --config FILE --spool DIR [--data-directory DIR]");
    }
    ClientConfig.Resolved c;
    try {
      c = ClientConfig.load(config);
    } catch (ConfigException e) {
      return refuse("invalid configuration: " + e.getMessage());
    }
    Logging.configure(c.logFormat(), c.logLevel());
    Spool spool = new Spool(spoolDir);
    try (FileChannel lock =
        FileChannel.open(spool.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock held = lock.tryLock();
      if (held == null) {
        System.out.println("busy");
        return 0;
      }
      long pid = ProcessHandle.current().pid();
      lock.truncate(0);
      lock.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)));
      PrintStream out = System.out;
      out.println("locked " + pid);
      out.close(); // the launcher stops reading here
      LOG.info(
          "prefetcher {} started for {} ({} segments ahead{})",
          pid,
          spool.dir(),
          c.prefetchAhead(),
          dataDirectory.map(d -> ", recovery of " + d).orElse(""));
      Prefetcher.Outcome o = prefetch(c, spool, dataDirectory, idle, from, awaitStart);
      LOG.info(
          "prefetcher exits: {}; {} segments prefetched, {} taken by the restore command, {}"
              + " deleted unused",
          o.reason(),
          o.fetched(),
          o.taken(),
          o.unused());
      return 0;
    } catch (IOException | RuntimeException e) {
      LOG.error("prefetcher for {} failed: {}", spool.dir(), e.toString());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static Prefetcher.Outcome prefetch(
      ClientConfig.Resolved c,
      Spool spool,
      Optional<Path> dataDirectory,
      Duration idle,
      Optional<String> from,
      Duration awaitStart)
      throws IOException, InterruptedException {
    try (KlioConnection server = KlioConnection.open(c.client())) {
      WalFetcher fetcher = server.walFetcher();
      Optional<WalSegmentSize> size = segmentSize(fetcher, c.getWalTimeout());
      if (size.isEmpty()) {
        return new Prefetcher.Outcome("the archive holds no WAL", 0, 0, 0);
      }
      Optional<WalFileName.Segment> first;
      try {
        first = from.map(f -> WalFileName.Segment.parse(f, size.get()));
      } catch (IllegalArgumentException e) {
        LOG.warn(
            "--from {}: {}; starting at PostgreSQL's first request", from.get(), e.getMessage());
        first = Optional.empty();
      }
      return new Prefetcher(
              spool, fetcher, size.get(), c.prefetchAhead(), dataDirectory, idle, first, awaitStart)
          .run();
    }
  }

  /** The archive's segment size, trying for {@code timeout} while the server is unreachable. */
  private static Optional<WalSegmentSize> segmentSize(WalFetcher fetcher, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return fetcher.segmentSize();
      } catch (KlioException e) {
        if (!e.isRetryable() || System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.SECONDS.sleep(1);
      }
    }
  }

  private static int refuse(String why) {
    System.out.println("error: " + why);
    System.err.println("klio prefetcher: " + why);
    return 2;
  }
}
