package io.klio.server.quickstart;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the quickstart's steps one after the other, each on one line: a number and what it does when
 * it begins, what it did and how long it took when it ends, {@code FAILED} and the reason (with the
 * last lines of the logs that tell why) when it fails. Not thread-safe.
 */
final class Steps {

  /** One step's work: returns what it did, as the end of its line. */
  interface Step {
    String run() throws Exception;
  }

  /** How long a step took. */
  record Timing(String name, double seconds) {}

  private static final int TAIL = 20;

  private final PrintStream out;
  private final List<Timing> timings = new ArrayList<>();
  private int number;

  Steps(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs {@code step}; its line starts with {@code title} and ends with what it returns. {@code
   * name} is its short name in the summary's times.
   */
  void run(String name, String title, Step step) throws StepFailure {
    number++;
    out.printf(Locale.ROOT, "%2d. %s: ", number, title);
    out.flush();
    long start = System.nanoTime();
    String done;
    try {
      done = step.run();
    } catch (StepFailure e) {
      throw failed(title, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(title, new StepFailure("interrupted"));
    } catch (Exception e) {
      throw failed(title, new StepFailure(describe(e)));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    timings.add(new Timing(name, seconds));
    out.printf(Locale.ROOT, "%s (%.1f s)%n", done, seconds);
    out.flush();
  }

  List<Timing> timings() {
    return List.copyOf(timings);
  }

  private StepFailure failed(String title, StepFailure e) {
    out.println("FAILED");
    out.println();
    out.println("klio quickstart: step " + number + " (" + title + ") failed: " + e.getMessage());
    for (Path log : e.logs()) {
      tail(log);
    }
    out.flush();
    return new StepFailure("step " + number + " (" + title + "): " + e.getMessage(), e.logs());
  }

  private void tail(Path log) {
    List<String> lines;
    try {
      lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      out.println("(cannot read " + log + ": " + e.getMessage() + ")");
      return;
    }
    if (lines.isEmpty()) {
      return;
    }
    out.println();
    out.println("last lines of " + log + ":");
    for (String l : lines.subList(Math.max(0, lines.size() - TAIL), lines.size())) {
      out.println("  " + l);
    }
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.toString() : m;
  }
}
