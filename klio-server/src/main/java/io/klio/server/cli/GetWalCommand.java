package io.klio.server.cli;

import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.api.io.DurableFiles;
import io.klio.client.KlioConnection;
import io.klio.client.WalFetcher;
import io.klio.server.config.ClientConfig;
import io.klio.server.prefetch.PrefetchLauncher;
import io.klio.server.prefetch.Spool;
import io.klio.server.walfetch.WalDelivery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code klio get-wal WALNAME DESTINATION}: PostgreSQL's {@code restore_command}. */
@Command(
    name = "get-wal",
    mixinStandardHelpOptions = true,
    description = {
      "Fetches a WAL file from the Klio server for PostgreSQL's recovery (restore_command).",
      "  restore_command = 'klio get-wal --config /etc/klio/client.yaml %%f %%p'",
      "Serves the .partial of the newest segment when the segment itself is not archived, and"
          + " prefetches the next getWal.prefetch segments into getWal.spool. Failures that must"
          + " not end recovery early exit above 125, which makes PostgreSQL stop instead of"
          + " promoting with WAL missing."
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:fetched (or DESTINATION already holds exactly this file)",
      GetWalCommand.NOT_FOUND + ":not in the archive",
      GetWalCommand.INVALID
          + ":invalid configuration, WAL file name or usage; a refused request (wrong"
          + " certificate, another cluster)",
      GetWalCommand.UNREACHABLE + ":the server could not be reached within getWal.timeout",
      GetWalCommand.REFUSED + ":DESTINATION exists with different content (refused)",
      GetWalCommand.FAILED + ":another failure, such as DESTINATION cannot be written"
    },
    // a usage error or an unexpected failure must not read as "not found" (1) to PostgreSQL
    exitCodeOnInvalidInput = GetWalCommand.INVALID,
    exitCodeOnExecutionException = GetWalCommand.FAILED)
public final class GetWalCommand implements java.util.concurrent.Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(GetWalCommand.class);

  /** PostgreSQL takes this status as "no such file", the end of the archive. */
  static final int NOT_FOUND = 1;

  /** Exit statuses above 125: PostgreSQL stops recovery instead of treating them as "no file". */
  static final int INVALID = 250;

  static final int UNREACHABLE = 251;
  static final int REFUSED = 252;
  static final int FAILED = 253;

  private static final WalSegmentSize ANY = WalSegmentSize.ofBytes(WalSegmentSize.MIN_BYTES);

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "the client configuration (default: $KLIO_CLIENT_CONFIG, else /etc/klio/client.yaml)")
  Path config;

  @Option(
      names = "--prefetch",
      paramLabel = "SPOOL",
      description =
          "keep the next getWal.prefetch segments in SPOOL (relative: to the working directory,"
              + " PostgreSQL's data directory) with a prefetcher that outlives this call; the"
              + " restore_command of klio restore takes them from there without a JVM")
  Path prefetchSpool;

  @Parameters(
      index = "0",
      paramLabel = "WALNAME",
      description = "the file PostgreSQL asks for (%%f)")
  String name;

  @Parameters(index = "1", paramLabel = "DESTINATION", description = "where to write it (%%p)")
  Path destination;

  @Override
  public Integer call() throws Exception {
    Path file = configFile(config);
    Optional<ClientConfig.Resolved> loaded = ClientConfig.loadForCommand(file, "klio get-wal");
    if (loaded.isEmpty()) {
      return INVALID;
    }
    ClientConfig.Resolved c = loaded.get();
    WalFileName wal;
    try {
      wal = WalFileName.parse(name, ANY);
    } catch (IllegalArgumentException e) {
      LOG.error("{}", e.getMessage());
      return INVALID;
    }
    KlioConnection server;
    try {
      server = KlioConnection.open(c.client());
    } catch (PermanentException e) {
      LOG.error("invalid configuration: {}: {}", file, e.getMessage()); // TLS files not usable
      return INVALID;
    }
    try {
      WalFetcher fetcher = server.walFetcher();
      byte[] content;
      Optional<Spool> prefetcher = Optional.ofNullable(prefetchSpool).map(Spool::new);
      Path spooled =
          prefetcher.isPresent()
              ? prefetcher.get().file(name)
              : c.spool().map(s -> s.resolve(name)).orElse(null);
      if (spooled != null && Files.exists(spooled)) {
        content = Files.readAllBytes(spooled);
        LOG.info("{} from the spool", name);
      } else {
        WalFetcher.Fetched f;
        try {
          f = WalDelivery.fetchWithRetries(fetcher, name, c.getWalTimeout());
        } catch (NotFoundException e) {
          LOG.info("{} not found in the archive of cluster {}", name, c.client().cluster());
          prefetcher.ifPresent(s -> recordRequest(s, wal, false));
          return NOT_FOUND;
        } catch (RetryableException e) {
          LOG.error(
              "could not reach the Klio server at {} within {} s: {}",
              c.client().server(),
              c.getWalTimeout().toSeconds(),
              e.getMessage());
          return UNREACHABLE;
        } catch (PermanentException e) {
          LOG.error("{}", e.getMessage());
          return INVALID;
        }
        content = f.content();
        if (f.partial()) {
          LOG.info("{}: only its .partial is archived (the newest segment); serving that", name);
        }
      }
      try {
        if (!WalDelivery.write(destination, content, name)) {
          LOG.info("{} already at {} with the same content", name, destination);
          return 0;
        }
      } catch (WalDelivery.DestinationConflict e) {
        LOG.error("refusing to overwrite {}: {}", destination, e.getReason());
        return REFUSED;
      }
      if (spooled != null) {
        Files.deleteIfExists(spooled);
      }
      if (prefetcher.isPresent()) {
        if (c.prefetchAhead() > 0 && recordRequest(prefetcher.get(), wal, true)) {
          startPrefetcher(prefetcher.get(), file);
        }
      } else if (wal instanceof WalFileName.Segment && c.spool().isPresent() && c.prefetch() > 0) {
        try {
          Optional<WalSegmentSize> size = fetcher.segmentSize();
          if (size.isPresent()) {
            ExecutorService pool = Executors.newFixedThreadPool(c.prefetch());
            try {
              WalDelivery.prefetch(
                  fetcher,
                  WalFileName.Segment.parse(name, size.get()),
                  c.spool().get(),
                  c.prefetch(),
                  pool);
            } finally {
              pool.shutdownNow();
            }
          }
        } catch (IOException e) {
          // the file PostgreSQL asked for is written: a failed prefetch only costs time later
          LOG.warn("prefetching after {} into {} failed: {}", name, c.spool().get(), e.toString());
        }
      }
      return 0;
    } finally {
      server.close();
    }
  }

  /**
   * Tells the prefetcher of {@code spool} that PostgreSQL asked for the segment {@code wal} (when
   * it is one, and the spool exists or may be made); returns whether it did. Best effort: the file
   * PostgreSQL asked for is served (or known missing) either way.
   */
  private static boolean recordRequest(Spool spool, WalFileName wal, boolean found) {
    if (!(wal instanceof WalFileName.Segment)) {
      return false; // history files, .partial and .backup files leave the window where it is
    }
    try {
      if (found) {
        DurableFiles.createDirectories(spool.dir());
      } else if (!Files.isDirectory(spool.dir())) {
        return false; // no prefetcher to tell; the end of the archive starts none
      }
      spool.recordRequest(wal.toString(), found);
      return true;
    } catch (IOException e) {
      LOG.warn("recording the request of {} in {}: {}", wal, spool.dir(), e.toString());
      return false;
    }
  }

  /** Starts the prefetcher of {@code spool} unless it runs. Failures are only logged. */
  private static void startPrefetcher(Spool spool, Path config) throws InterruptedException {
    Path cwd = Path.of("").toAbsolutePath();
    // PostgreSQL runs restore_command in its data directory: the prefetcher ends with its recovery
    Optional<Path> dataDirectory =
        Files.isRegularFile(cwd.resolve("PG_VERSION"))
                && Files.isRegularFile(cwd.resolve("global").resolve("pg_control"))
            ? Optional.of(cwd)
            : Optional.empty();
    try {
      PrefetchLauncher.ensureRunning(spool, config, dataDirectory);
    } catch (IOException e) {
      LOG.warn("could not start the prefetcher for {}: {}", spool.dir(), e.toString());
    }
  }

  /** {@code --config}, else {@code $KLIO_CLIENT_CONFIG}, else {@code /etc/klio/client.yaml}. */
  static Path configFile(Path option) {
    return option != null
        ? option
        : Path.of(System.getenv().getOrDefault("KLIO_CLIENT_CONFIG", "/etc/klio/client.yaml"));
  }
}
