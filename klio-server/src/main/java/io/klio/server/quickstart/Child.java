package io.klio.server.quickstart;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command the quickstart runs as a child process, its standard output in {@code <name>.out} and
 * its standard error (where the klio commands log) in {@code <name>.log}. Not thread-safe, except
 * {@link #stop}, which the clean-up on Ctrl-C may call while a step waits.
 */
final class Child {

  private final String name;
  private final List<String> command;
  private final Path out;
  private final Path log;
  private final Process process;

  private Child(String name, List<String> command, Path out, Path log, Process process) {
    this.name = name;
    this.command = command;
    this.out = out;
    this.log = log;
    this.process = process;
  }

  static Child start(String name, List<String> command, Map<String, String> env, Path logDir)
      throws IOException {
    Path out = logDir.resolve(name + ".out");
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder b =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(log.toFile());
    b.environment().putAll(env);
    return new Child(name, command, out, log, b.start());
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the command to exit; fails if it does not exit 0 within {@code timeout}. */
  void awaitSuccess(Duration timeout) throws InterruptedException, StepFailure {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      stop();
      throw failed("did not finish within " + timeout.toSeconds() + " s");
    }
    if (process.exitValue() != 0) {
      throw failed("exited with status " + process.exitValue());
    }
  }

  /** Waits until {@code url} answers 200; fails if the command exits first or time runs out. */
  void awaitReady(URI url, Duration timeout) throws InterruptedException, StepFailure {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!answers200(url)) {
      if (!process.isAlive()) {
        throw failed("exited with status " + process.exitValue() + " before it was ready");
      }
      if (System.nanoTime() > deadline) {
        throw failed("was not ready (" + url + ") within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(100);
    }
  }

  private static boolean answers200(URI url) {
    try {
      HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException notYet) {
      return false;
    }
  }

  /** What the command wrote to its standard output. */
  String output() throws IOException {
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
  void stop() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  StepFailure failed(String what) {
    List<Path> logs = new ArrayList<>(List.of(log));
    if (Files.exists(out) && !out.equals(log)) {
      logs.add(out);
    }
    return new StepFailure(String.join(" ", command) + " " + what, logs);
  }
}
