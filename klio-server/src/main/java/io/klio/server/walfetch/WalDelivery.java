package io.klio.server.walfetch;

import io.klio.api.WalFileName;
import io.klio.api.error.RetryableException;
import io.klio.api.io.DurableFiles;
import io.klio.client.WalFetcher;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetching a WAL file for PostgreSQL and writing it to the destination it names, and filling a
 * spool with the segments that follow. Stateless; every method is thread-safe.
 */
public final class WalDelivery {

  private static final Logger LOG = LoggerFactory.getLogger(WalDelivery.class);

  private WalDelivery() {}

  /** The destination exists with content other than the file's: nothing was written. */
  public static final class DestinationConflict extends FileAlreadyExistsException {
    private static final long serialVersionUID = 1L;

    DestinationConflict(Path destination, String name) {
      super(
          destination.toString(),
          null,
          "it exists with different content than " + name + " in the archive");
    }
  }

  /**
   * Fetches {@code name}, retrying what {@link RetryableException} reports (an unreachable server,
   * a call out of time) with pauses from 250 ms doubling to 5 s, until {@code timeout} has passed;
   * then throws the last such failure. {@link io.klio.api.error.NotFoundException} and {@link
   * io.klio.api.error.PermanentException} are thrown at once.
   */
  public static WalFetcher.Fetched fetchWithRetries(
      WalFetcher fetcher, String name, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 250;
    while (true) {
      long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
      try {
        return fetcher.fetch(name, Duration.ofSeconds(Math.max(1, left)));
      } catch (RetryableException e) {
        if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) > deadline) {
          throw e;
        }
        LOG.warn("fetching {}: {}; retrying", name, e.getMessage());
        Thread.sleep(pause);
        pause = Math.min(pause * 2, 5000);
      }
    }
  }

  /**
   * Writes {@code content} to {@code destination} atomically and durably (a temporary file beside
   * it, fsync, rename): PostgreSQL never sees part of a file. Returns false, writing nothing, when
   * the destination holds exactly this content already.
   *
   * @throws DestinationConflict when the destination exists with other content (never overwritten)
   */
  public static boolean write(Path destination, byte[] content, String name) throws IOException {
    if (Files.exists(destination)) {
      if (Arrays.equals(Files.readAllBytes(destination), content)) {
        return false;
      }
      throw new DestinationConflict(destination, name);
    }
    DurableFiles.write(destination, content);
    return true;
  }

  /**
   * Fetches the {@code n} segments after {@code after} on its timeline into {@code spool} on {@code
   * pool}, and waits for them (a minute each at most): complete segments only (a {@code .partial}
   * answer is where the archive ends for now), each written as {@link DurableFiles} does, so that
   * after a crash the spool holds whole segments or none. First removes what the spool holds up to
   * {@code after} (segments replayed already, and what a process killed while writing one left
   * behind). A failed fetch only ends that segment's prefetch (logged at debug).
   */
  public static void prefetch(
      WalFetcher fetcher, WalFileName.Segment after, Path spool, int n, ExecutorService pool)
      throws IOException, InterruptedException {
    Files.createDirectories(spool);
    trim(spool, after);
    List<Future<?>> jobs = new ArrayList<>();
    WalFileName.Segment seg = after;
    for (int i = 0; i < n; i++) {
      seg = seg.next();
      String name = seg.toString();
      Path target = spool.resolve(name);
      if (Files.exists(target)) {
        continue;
      }
      jobs.add(
          pool.submit(
              () -> {
                try {
                  WalFetcher.Fetched f = fetcher.fetch(name, Duration.ofSeconds(30));
                  if (!f.partial()) {
                    DurableFiles.write(target, f.content());
                  }
                } catch (IOException e) {
                  LOG.debug("prefetch of {} stopped: {}", name, e.getMessage());
                }
                return null;
              }));
    }
    for (Future<?> j : jobs) {
      try {
        j.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.debug("prefetch: {}", e.getMessage());
      }
    }
  }

  /** Removes the segments up to {@code after} and the temporary files of such segments. */
  private static void trim(Path spool, WalFileName.Segment after) throws IOException {
    try (Stream<Path> s = Files.list(spool)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String f = p.getFileName().toString();
        // segments replayed already, and what a process killed while writing one left behind
        String segment = f.startsWith(".") && f.length() > 25 ? f.substring(1, 25) : f;
        if (segment.length() == 24 && segment.compareTo(after.toString()) <= 0) {
          Files.deleteIfExists(p);
        }
      }
    } catch (NoSuchFileException ignored) {
      // nothing spooled
    }
  }
}
