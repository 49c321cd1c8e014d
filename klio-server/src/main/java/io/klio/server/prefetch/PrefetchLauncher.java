package io.klio.server.prefetch;

import io.klio.api.io.DurableFiles;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a {@link PrefetchDaemon} runs for a spool, starting one when none does: at most one
 * runs per spool, and two get-wal calls at once start at most one. The check and the start happen
 * under the spool's {@code spawn.lock}, and the starter waits (up to 30 s) until the new process
 * holds {@code prefetch.lock}, so the next starter sees it.
 *
 * <p>The process is detached: its own session ({@code setsid}, when the system has it; otherwise it
 * stays in PostgreSQL's process group and a reload's SIGHUP may end it, which only costs a restart
 * at the next miss), stdin from {@code /dev/null}, stderr appended to the spool's {@code
 * prefetch.log} (moved to {@code prefetch.log.1} first when over 1 MiB), the JVM this one runs on
 * with this one's class path, the serial collector and {@code $KLIO_JAVA_OPTS}. It outlives the
 * caller.
 */
public final class PrefetchLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(PrefetchLauncher.class);

  private static final long LOG_LIMIT = 1 << 20;

  private PrefetchLauncher() {}

  /**
   * Starts a prefetcher for {@code spool} unless one runs; returns whether this call started it.
   *
   * @param config the client configuration the prefetcher reads ({@code getWal.prefetch}, the
   *     server)
   * @param dataDirectory PostgreSQL's data directory, when known: the prefetcher ends with its
   *     recovery
   * @throws IOException when the spool cannot be created or locked, or the process not started
   */
  public static boolean ensureRunning(Spool spool, Path config, Optional<Path> dataDirectory)
      throws IOException, InterruptedException {
    return ensureRunning(spool, config, dataDirectory, List.of());
  }

  /**
   * {@link #ensureRunning(Spool, Path, Optional)} for a PostgreSQL that has not started yet: the
   * prefetcher starts its window at {@code from} (the first segment PostgreSQL will want) and waits
   * up to {@code awaitStart} for PostgreSQL's start in {@code dataDirectory}.
   */
  public static boolean ensureRunningBefore(
      Spool spool, Path config, Path dataDirectory, String from, java.time.Duration awaitStart)
      throws IOException, InterruptedException {
    return ensureRunning(
        spool,
        config,
        Optional.of(dataDirectory),
        List.of("--from", from, "--await-start", Long.toString(awaitStart.toSeconds())));
  }

  private static boolean ensureRunning(
      Spool spool, Path config, Optional<Path> dataDirectory, List<String> more)
      throws IOException, InterruptedException {
    DurableFiles.createDirectories(spool.dir());
    try (FileChannel spawn =
            FileChannel.open(
                spool.spawnLockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock serialized = spawn.lock()) {
      if (running(spool)) {
        return false;
      }
      Path log = spool.logFile();
      if (Files.exists(log) && Files.size(log) > LOG_LIMIT) {
        Files.move(log, spool.file("prefetch.log.1"), StandardCopyOption.REPLACE_EXISTING);
      }
      ProcessBuilder pb =
          new ProcessBuilder(command(spool, config, dataDirectory, more))
              .directory(new File("/"))
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Process p = pb.start();
      String said = firstLine(p);
      if (!said.startsWith("locked") && !said.equals("busy")) {
        LOG.warn("the prefetcher for {} did not start ({}); see {}", spool.dir(), said, log);
        return false;
      }
      LOG.info("started the prefetcher for {} (process {})", spool.dir(), p.pid());
      return said.startsWith("locked");
    }
  }

  /** Whether a process holds the spool's {@code prefetch.lock}. */
  static boolean running(Spool spool) throws IOException {
    try (FileChannel c =
            FileChannel.open(
                spool.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock probe = c.tryLock()) {
      return probe == null;
    }
  }

  private static String firstLine(Process p) throws IOException, InterruptedException {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l = r.readLine();
                return l == null ? "it exited" : l;
              } catch (IOException e) {
                return e.toString();
              }
            });
    try {
      return line.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return "no answer within 30 s";
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    }
  }

  private static List<String> command(
      Spool spool, Path config, Optional<Path> dataDirectory, List<String> more) {
    List<String> cmd = new ArrayList<>();
    setsid().ifPresent(cmd::add);
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.add("-XX:+UseSerialGC");
    String opts = System.getenv("KLIO_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(List.of(opts.strip().split("\\s+")));
    }
    cmd.add("-cp");
    List<String> classPath = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classPath.add(Path.of(e).toAbsolutePath().toString()); // it runs in /
    }
    cmd.add(String.join(File.pathSeparator, classPath));
    cmd.add(PrefetchDaemon.class.getName());
    cmd.addAll(List.of("--config", config.toAbsolutePath().toString()));
    cmd.addAll(List.of("--spool", spool.dir().toString()));
    dataDirectory.ifPresent(d -> cmd.addAll(List.of("--data-directory", d.toString())));
    cmd.addAll(more);
    return cmd;
  }

  private static Optional<String> setsid() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path p = Path.of(dir, "setsid");
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    return Optional.empty();
  }
}
