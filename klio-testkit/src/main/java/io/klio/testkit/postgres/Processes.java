package io.klio.testkit.postgres;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs commands, as the {@code postgres} OS user when the tests run as root. */
final class Processes {

  static final boolean ROOT = "root".equals(System.getProperty("user.name"));
  static final String OS_USER = "postgres";

  private Processes() {}

  record Result(int exitCode, String output) {}

  /** Runs {@code command} as PostgreSQL's OS user (when root) and fails unless it exits 0. */
  static String runAsPostgres(Map<String, String> env, String stdin, String... command) {
    List<String> cmd = new ArrayList<>();
    if (ROOT) {
      cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    cmd.addAll(List.of(command));
    return check(run(cmd, env, stdin, null), cmd);
  }

  static String runChecked(List<String> cmd, Map<String, String> env) {
    return check(run(cmd, env, null, null), cmd);
  }

  private static String check(Result r, List<String> cmd) {
    if (r.exitCode != 0) {
      throw new IllegalStateException(
          "command failed with exit code "
              + r.exitCode
              + ": "
              + String.join(" ", cmd)
              + "\n"
              + r.output);
    }
    return r.output;
  }

  static Result run(List<String> cmd, Map<String, String> env, String stdin, Path cwd) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    if (cwd != null) {
      pb.directory(cwd.toFile());
    }
    try {
      Process p = pb.start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = readAll(p.getInputStream());
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("command timed out: " + String.join(" ", cmd));
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", cmd), e);
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    in.transferTo(buf);
    return buf.toString(StandardCharsets.UTF_8);
  }

  /** Gives {@code path} (recursively) to PostgreSQL's OS user when running as root. */
  static void chownToPostgres(Path path) {
    if (ROOT) {
      runChecked(List.of("chown", "-R", OS_USER + ":" + OS_USER, path.toString()), Map.of());
    }
  }
}
