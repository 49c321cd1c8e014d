package io.klio.backup;

import io.klio.testkit.postgres.PostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the integration tests do to real servers beside the fixture: sessions, tools, owners. */
final class PgTools {

  static final boolean ROOT = "root".equals(System.getProperty("user.name"));
  static final Path PG15_BIN = Path.of("/usr/lib/postgresql/15/bin");

  private PgTools() {}

  /** A directory the server's OS user owns (the tests run as root, the servers as postgres). */
  static Path serverDirectory(String prefix) throws IOException {
    Path d = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    chown(d);
    return d;
  }

  /** Gives {@code path} (recursively) to the postgres OS user when running as root. */
  static void chown(Path path) {
    if (ROOT) {
      run(List.of("chown", "-R", "postgres:postgres", path.toString()), Map.of());
    }
  }

  static String run(List<String> cmd, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + cmd);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("failed (" + p.exitValue() + "): " + cmd + "\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static List<String> psql(PostgresServer s, String conninfoExtra) {
    List<String> cmd = new ArrayList<>();
    cmd.add(PG15_BIN.resolve("psql").toString());
    cmd.addAll(List.of("-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"));
    cmd.add(
        "host="
            + s.socketDirectory()
            + " port="
            + s.port()
            + " user="
            + PostgresServer.SUPERUSER
            + " dbname=postgres"
            + conninfoExtra);
    return cmd;
  }

  /** One psql session kept open, for what must happen in one session (pg_backup_start/stop). */
  static final class Session implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;

    Session(PostgresServer s) throws IOException {
      ProcessBuilder pb = new ProcessBuilder(psql(s, "")).redirectErrorStream(true);
      pb.environment().put("PGPASSWORD", s.password());
      process = pb.start();
      in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Runs {@code sql} and returns its output lines. */
    List<String> query(String sql) throws IOException {
      in.write(sql + "\n\\echo __klio_done__\n");
      in.flush();
      List<String> lines = new ArrayList<>();
      for (String line = out.readLine(); ; line = out.readLine()) {
        if (line == null) {
          throw new IOException("psql ended: " + lines);
        }
        if (line.equals("__klio_done__")) {
          return lines;
        }
        if (line.contains("ERROR:") || line.contains("FATAL:")) {
          throw new IOException("psql: " + line);
        }
        lines.add(line);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
      try {
        process.waitFor(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
    }
  }
}
