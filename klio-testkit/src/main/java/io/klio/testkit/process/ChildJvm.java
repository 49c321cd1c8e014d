package io.klio.testkit.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started on the test's class path, for crash tests: it runs a main class that prints one
 * line per acknowledged operation; the test reads lines, then SIGKILLs it at a chosen moment.
 */
public final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final BufferedReader out;

  private ChildJvm(Process process) {
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts {@code main} with {@code -Xmx<heapMiB>m} and {@code args}; stderr goes to ours. */
  public static ChildJvm start(Class<?> main, int heapMiB, String... args) throws IOException {
    return start(main, heapMiB, false, args);
  }

  /** Like {@link #start}, with its stderr merged into the lines {@link #readLine} reads. */
  public static ChildJvm startMerged(Class<?> main, int heapMiB, String... args)
      throws IOException {
    return start(main, heapMiB, true, args);
  }

  private static ChildJvm start(Class<?> main, int heapMiB, boolean merge, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heapMiB + "m");
    command.add("-XX:TieredStopAtLevel=1"); // starts faster; crash tests restart JVMs often
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    if (merge) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    }
    return new ChildJvm(pb.start());
  }

  /** The next line it printed, or null when it exited. */
  public String readLine() throws IOException {
    return out.readLine();
  }

  /**
   * SIGKILL from outside (so our end of its stdout stays open and every line it printed before it
   * died can still be read), then waits for it to exit.
   */
  public void kill9() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IOException("process " + process.pid() + " survived kill -9 for 30 s");
    }
  }

  /** Every line it printed that has not been read yet (after it exited). */
  public List<String> remainingLines() throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line; (line = out.readLine()) != null; ) {
      lines.add(line);
    }
    return lines;
  }

  /** Waits for it to exit (at most {@code seconds}) and returns its exit status. */
  public int exitValue(long seconds) throws IOException, InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IOException("process " + process.pid() + " still runs after " + seconds + " s");
    }
    return process.exitValue();
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    out.close();
  }
}
