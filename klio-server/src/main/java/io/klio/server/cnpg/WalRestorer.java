package io.klio.server.cnpg;

import io.grpc.Status;
import io.grpc.StatusException;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.client.WalFetcher;
import io.klio.server.walfetch.WalDelivery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WAL.Restore}: writes a file of the cluster's archive where PostgreSQL (through
 * CloudNativePG's {@code wal-restore}) asks for it, as {@code klio get-wal} does: a segment, a
 * {@code .history}, a {@code .partial}, or for a segment the server only holds as {@code .partial}
 * (the newest of a failed primary) that content; written atomically, never over other content.
 *
 * <p>In recovery (a request's mode MODE_RECOVERY, or unset from CloudNativePG before cnpg-i v0.6.0)
 * and with {@code getWal.spool} configured, the {@code getWal.prefetch} segments after each
 * restored segment are fetched in the background into the spool, where the next requests find them.
 * MODE_REWIND (pg_rewind, which reads WAL in no predictable order) and modes this version does not
 * know neither read the spool nor fill it. Nothing is remembered of a file the archive lacked: the
 * next request asks the server again.
 *
 * <p>Thread-safe: requests may run in parallel. One prefetch runs at a time; a newer one replaces
 * one waiting to start.
 */
final class WalRestorer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WalRestorer.class);

  /** Any size: names are checked before the archive's segment size is known. */
  private static final WalSegmentSize ANY = WalSegmentSize.ofBytes(WalSegmentSize.MIN_BYTES);

  private final ServerLink link;
  private final Duration timeout;
  private final Optional<Path> spool;
  private final int depth;
  private final ThreadPoolExecutor planner;
  private final ExecutorService fetchers;
  private volatile WalSegmentSize segmentSize;

  /**
   * @param timeout how long one restore may retry an unreachable server ({@code getWal.timeout})
   * @param spool where prefetched segments wait ({@code getWal.spool}); none: no prefetch
   * @param depth how many segments to keep ahead ({@code getWal.prefetch}); 0: no prefetch
   */
  WalRestorer(ServerLink link, Duration timeout, Optional<Path> spool, int depth) {
    this.link = link;
    this.timeout = timeout;
    this.spool = depth > 0 ? spool : Optional.empty();
    this.depth = depth;
    this.planner =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(1),
            daemons("klio-plugin-prefetch"),
            new ThreadPoolExecutor.DiscardOldestPolicy());
    this.fetchers =
        Executors.newFixedThreadPool(Math.max(1, Math.min(depth, 4)), daemons("klio-plugin-fetch"));
  }

  /** Whether a request in {@code mode} may use the spool: recovery, or no mode (before v0.6.0). */
  static boolean usesSpool(io.klio.cnpgi.wal.v1.WALRestoreRequest.Mode mode) {
    return switch (mode) {
      case MODE_RECOVERY, MODE_UNSPECIFIED -> true;
      default -> false; // MODE_REWIND, and what a later CNPG-I may add
    };
  }

  /**
   * Writes the archive's file {@code name} to {@code destination}.
   *
   * @param destination an absolute path (PostgreSQL's {@code %p}, made absolute by CloudNativePG)
   * @param useSpool whether to take the file from the spool when it is there, and prefetch the next
   *     segments after it ({@link #usesSpool})
   * @throws StatusException NOT_FOUND when the archive does not hold it; INVALID_ARGUMENT for a
   *     name that is no WAL file name or a relative destination; UNAVAILABLE when the server could
   *     not be reached within the timeout; FAILED_PRECONDITION when the server refuses us;
   *     ALREADY_EXISTS when the destination holds other content; INTERNAL when it cannot be
   *     written. Every message names the file, and the server when it was asked.
   */
  void restore(String name, String destination, boolean useSpool) throws StatusException {
    WalFileName wal;
    try {
      wal = WalFileName.parse(name, ANY);
    } catch (IllegalArgumentException e) {
      throw error(Status.INVALID_ARGUMENT, e.getMessage());
    }
    Path dest = destinationPath(name, destination);
    boolean spooling = useSpool && spool.isPresent() && wal instanceof WalFileName.Segment;
    Optional<byte[]> spooled = spooling ? readSpooled(name) : Optional.empty();
    WalFetcher.Fetched fetched =
        spooled.isPresent() ? new WalFetcher.Fetched(spooled.get(), false) : fetch(name);
    try {
      boolean written = WalDelivery.write(dest, fetched.content(), name);
      if (spooled.isPresent()) {
        Files.deleteIfExists(spool.get().resolve(name));
      }
      LOG.info(
          "{} {} {}{}",
          name,
          written ? "restored to" : "was already at",
          dest,
          spooled.isPresent()
              ? " (from the spool)"
              : fetched.partial() ? " (only its .partial is archived: the newest segment)" : "");
    } catch (WalDelivery.DestinationConflict e) {
      throw error(Status.ALREADY_EXISTS, "refusing to overwrite " + dest + ": " + e.getReason());
    } catch (IOException e) {
      throw error(
          Status.INTERNAL,
          "writing " + name + " of the Klio server at " + link.server() + " to " + dest + ": " + e);
    }
    if (spooling && !fetched.partial()) {
      String after = name;
      planner.execute(() -> prefetchAfter(after));
    }
  }

  private static Path destinationPath(String name, String destination) throws StatusException {
    Path dest;
    try {
      dest = Path.of(destination);
    } catch (java.nio.file.InvalidPathException e) {
      throw error(Status.INVALID_ARGUMENT, "destination of " + name + ": " + e.getMessage());
    }
    if (!dest.isAbsolute()) {
      throw error(
          Status.INVALID_ARGUMENT,
          "destination of " + name + " must be an absolute path, not '" + destination + "'");
    }
    return dest;
  }

  private Optional<byte[]> readSpooled(String name) throws StatusException {
    try {
      return Optional.of(Files.readAllBytes(spool.get().resolve(name)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn("reading {} from the spool {}: {}; asking the server", name, spool.get(), e);
      return Optional.empty();
    }
  }

  private WalFetcher.Fetched fetch(String name) throws StatusException {
    String server = link.server();
    try {
      return WalDelivery.fetchWithRetries(link.fetcher(), name, timeout);
    } catch (NotFoundException e) {
      LOG.info("{} not found in the archive of cluster {}", name, link.cluster());
      throw error(
          Status.NOT_FOUND,
          name
              + " is not in the archive of cluster "
              + link.cluster()
              + " on the Klio server at "
              + server);
    } catch (RetryableException e) {
      throw error(
          Status.UNAVAILABLE,
          "could not fetch "
              + name
              + " from the Klio server at "
              + server
              + " within "
              + timeout.toSeconds()
              + " s: "
              + e.getMessage());
    } catch (PermanentException e) {
      throw error(
          Status.FAILED_PRECONDITION,
          "the Klio server at " + server + " refused to serve " + name + ": " + e.getMessage());
    } catch (IOException e) {
      throw error(
          Status.INTERNAL, "fetching " + name + " from the Klio server at " + server + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw error(Status.CANCELLED, "fetching " + name + " was interrupted");
    }
  }

  /** Fills the spool with the segments after {@code name}; failures are only logged. */
  private void prefetchAfter(String name) {
    try {
      WalSegmentSize size = segmentSize;
      if (size == null) {
        Optional<WalSegmentSize> s = link.fetcher().segmentSize();
        if (s.isEmpty()) {
          return;
        }
        size = segmentSize = s.get();
      }
      WalDelivery.prefetch(
          link.fetcher(), WalFileName.Segment.parse(name, size), spool.get(), depth, fetchers);
    } catch (IOException | IllegalArgumentException e) {
      // the file PostgreSQL asked for is written: a failed prefetch only costs time later
      LOG.warn("prefetching after {} into {} failed: {}", name, spool.get(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static StatusException error(Status status, String message) {
    if (status.getCode() != Status.Code.NOT_FOUND) {
      LOG.warn("WAL.Restore: {}", message);
    }
    return status.withDescription(message).asException();
  }

  private static ThreadFactory daemons(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    planner.shutdownNow();
    fetchers.shutdownNow();
  }
}
