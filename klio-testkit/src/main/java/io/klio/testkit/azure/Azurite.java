package io.klio.testkit.azure;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Azurite blob service (npm {@code azurite}) on loopback, run as a child process with
 * in-memory storage. Register it in a static field; it starts before the class's tests and stops
 * after them:
 *
 * <pre>{@code
 * @RegisterExtension static final Azurite azurite = new Azurite();
 *
 * @Test void stores() {
 *   URI uri = URI.create("azure://" + Azurite.ACCOUNT + "/c1?endpoint=" + azurite.blobEndpoint());
 * }
 * }</pre>
 *
 * <p>{@code azurite-blob} is looked up on {@code PATH}, then in the npm global prefix's {@code
 * bin}; when it is in neither, starting fails with the install command ({@code npm install -g
 * azurite@3.35.0}, which {@code .ci/run} runs on a fresh machine). Azurite listens on a port the
 * system chooses ({@code --blobPort 0}); this class reads the port from its "listens on" line, so
 * there is neither a race for a free port nor a wait that hopes.
 */
public final class Azurite implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** Azurite's well-known development account. */
  public static final String ACCOUNT = "devstoreaccount1";

  /** The development account's well-known key (public, in Azurite's documentation). */
  public static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  /** The npm package version the project installs. */
  public static final String VERSION = "3.35.0";

  private static final Pattern LISTENING =
      Pattern.compile("successfully listens on (https?)://127\\.0\\.0\\.1:(\\d+)");

  private Process process;
  private Path workDir;
  private String scheme;
  private int port;
  private final List<String> output = new ArrayList<>();

  /** Starts Azurite now (for use outside the JUnit extension); {@link #close()} stops it. */
  public static Azurite start() {
    Azurite a = new Azurite();
    a.launch();
    return a;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    launch();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** {@code http://127.0.0.1:<port>/devstoreaccount1}: the blob endpoint of {@link #ACCOUNT}. */
  public String blobEndpoint() {
    requireRunning();
    return scheme + "://127.0.0.1:" + port + "/" + ACCOUNT;
  }

  /** The port Azurite listens on. */
  public int port() {
    requireRunning();
    return port;
  }

  /** A connection string for {@link #ACCOUNT} with its key. */
  public String connectionString() {
    return "DefaultEndpointsProtocol="
        + scheme
        + ";AccountName="
        + ACCOUNT
        + ";AccountKey="
        + KEY
        + ";BlobEndpoint="
        + blobEndpoint()
        + ";";
  }

  /** What Azurite printed so far, for failure messages. */
  public String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  private synchronized void launch() {
    if (process != null) {
      return;
    }
    Path exe = findExecutable();
    try {
      workDir = Files.createTempDirectory("azurite-");
      // in-memory storage needs no --location; the working directory takes any stray file
      ProcessBuilder pb =
          new ProcessBuilder(
                  exe.toString(),
                  "--blobHost",
                  "127.0.0.1",
                  "--blobPort",
                  "0",
                  "--inMemoryPersistence",
                  "--disableTelemetry",
                  "--skipApiVersionCheck",
                  "--loose")
              .directory(workDir.toFile())
              .redirectErrorStream(true);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + exe, e);
    }
    CompletableFuture<Matcher> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  synchronized (output) {
                    output.add(line);
                  }
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    listening.complete(m);
                  }
                }
              } catch (IOException e) {
                // the process ended; its exit is reported below
              }
              listening.completeExceptionally(new IllegalStateException("Azurite exited"));
            },
            "azurite-output");
    reader.setDaemon(true);
    reader.start();
    try {
      Matcher m = listening.get(60, TimeUnit.SECONDS);
      scheme = m.group(1);
      port = Integer.parseInt(m.group(2));
    } catch (ExecutionException | TimeoutException e) {
      String out = output();
      close();
      throw new IllegalStateException(
          "Azurite (" + exe + ") did not start listening within 60 s; it printed:\n" + out, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting Azurite", e);
    }
  }

  /** Stops Azurite (SIGTERM, then SIGKILL after 10 s) and removes its working directory. */
  @Override
  public synchronized void close() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
    if (workDir != null) {
      deleteTree(workDir);
      workDir = null;
    }
  }

  private void requireRunning() {
    if (process == null) {
      throw new IllegalStateException(
          "Azurite is not running: register it with @RegisterExtension");
    }
  }

  /** {@code azurite-blob} on PATH, or in the bin directory of npm's global prefix. */
  static Path findExecutable() {
    List<Path> tried = new ArrayList<>();
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, "azurite-blob");
        tried.add(p);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    String prefix = npmGlobalPrefix();
    if (prefix != null) {
      Path p = Path.of(prefix, "bin", "azurite-blob");
      tried.add(p);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "azurite-blob is not installed (looked on PATH and in npm's global prefix: "
            + tried.size()
            + " places). Install it with: npm install -g azurite@"
            + VERSION
            + " (Node.js 20 or newer; .ci/run does this on a fresh machine)");
  }

  private static String npmGlobalPrefix() {
    try {
      Process p = new ProcessBuilder("npm", "prefix", "-g").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty() ? out : null;
    } catch (IOException e) {
      return null; // no npm
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(Azurite::deleteQuietly);
    } catch (IOException e) {
      // a temporary directory left behind is not worth failing a test run for
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // see deleteTree
    }
  }
}
