package io.klio.server.quickstart;

import io.klio.walstream.ConnectionStrings;
import io.klio.walstream.PgConnection;
import io.klio.walstream.QueryResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL cluster run with {@code pg_ctl} as {@link OsUser}: TCP on 127.0.0.1 only
 * (no unix socket, whose path could be too long), password authentication (SCRAM) for everyone, its
 * log next to its data directory. SQL goes over klio-walstream's {@link PgConnection} as the
 * superuser {@code postgres}. Not thread-safe, except {@link #stopNow}.
 */
final class LocalPostgres {

  static final String SUPERUSER = "postgres";

  private final PostgresInstall install;
  private final OsUser user;
  private final Path data;
  private final Path log;
  private final String password;
  private final int port;
  private final Path pgCtlLog;
  private volatile boolean started;

  LocalPostgres(
      PostgresInstall install, OsUser user, Path data, int port, String password, Path pgCtlLog) {
    this.install = install;
    this.user = user;
    this.data = data;
    this.log = data.resolveSibling(data.getFileName() + ".log");
    this.port = port;
    this.password = password;
    this.pgCtlLog = pgCtlLog;
  }

  Path data() {
    return data;
  }

  Path log() {
    return log;
  }

  int port() {
    return port;
  }

  /** initdb (as {@link OsUser}, with the password in a file only that user can read). */
  void initdb() throws IOException, InterruptedException, StepFailure {
    Path pwfile = data.resolveSibling("initdb.pw");
    Files.writeString(
        pwfile, password + "\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
    user.own(pwfile);
    try {
      tool(
          "initdb",
          "-D",
          data.toString(),
          "-U",
          SUPERUSER,
          "--pwfile=" + pwfile,
          "--auth-local=scram-sha-256",
          "--auth-host=scram-sha-256",
          "-E",
          "UTF8",
          "--locale=C",
          "--no-sync");
    } finally {
      Files.deleteIfExists(pwfile);
    }
  }

  /** Appends {@code settings} to postgresql.conf. */
  void configure(Map<String, String> settings) throws IOException {
    StringBuilder sb = new StringBuilder("\n# klio quickstart\n");
    settings.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(data.resolve("postgresql.conf"), sb.toString(), StandardOpenOption.APPEND);
  }

  /** The settings that make this cluster listen on 127.0.0.1 at its port and nowhere else. */
  Map<String, String> listening() {
    return Map.of(
        "listen_addresses", "'127.0.0.1'",
        "port", Integer.toString(port),
        "unix_socket_directories", "''");
  }

  /** Starts it and waits until it accepts connections; {@code options} go to postgres. */
  void start(String... options) throws IOException, InterruptedException, StepFailure {
    List<String> args =
        new ArrayList<>(List.of("-D", data.toString(), "-l", log.toString(), "-w", "-t", "300"));
    if (options.length > 0) {
      args.add("-o");
      args.add(String.join(" ", options));
    }
    args.add("start");
    started = true;
    tool("pg_ctl", args.toArray(String[]::new));
  }

  /** A fast shutdown (ends sessions, writes a shutdown checkpoint). */
  void stop() throws IOException, InterruptedException, StepFailure {
    if (started) {
      tool("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "120", "stop");
      started = false;
    }
  }

  /** For the clean-up after a failure or Ctrl-C: an immediate shutdown, errors ignored. */
  void stopNow() {
    if (started && Files.exists(data.resolve("postmaster.pid"))) {
      try {
        tool("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
      } catch (IOException | StepFailure e) {
        // the clean-up goes on; the directory is removed anyway
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    started = false;
  }

  /**
   * Runs {@code sql} (one statement, or several in one transaction) as the superuser and returns
   * the first row of its last result as text (SQL NULL as {@code null}), empty when it has no rows.
   */
  List<String> sql(String sql) throws IOException {
    try (PgConnection c =
        PgConnection.connect(
            ConnectionStrings.resolve(
                connectionString(SUPERUSER) + " password=" + password, Map.of(), Map.of()),
            false)) {
      QueryResult r = c.query(sql);
      List<String> row = new ArrayList<>();
      if (!r.rows().isEmpty()) {
        for (int i = 0; i < r.columns().size(); i++) {
          row.add(r.text(0, i).orElse(null));
        }
      }
      return row;
    }
  }

  /** The one value {@code sql} returns. */
  String value(String sql) throws IOException {
    List<String> row = sql(sql);
    if (row.isEmpty()) {
      throw new IOException("no row from: " + sql);
    }
    return row.get(0);
  }

  /** Whether the postmaster runs: the process in its postmaster.pid is alive. */
  boolean isRunning() {
    try {
      List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
      return !lines.isEmpty()
          && ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
              .map(ProcessHandle::isAlive)
              .orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false; // no pid file (stopped), or one being written
    }
  }

  /** A libpq connection string for {@code role} over TCP, without the password. */
  String connectionString(String role) {
    return "host=127.0.0.1 port=" + port + " user=" + role + " dbname=postgres";
  }

  private void tool(String name, String... args)
      throws IOException, InterruptedException, StepFailure {
    List<String> cmd = new ArrayList<>(List.of(install.bin().resolve(name).toString()));
    cmd.addAll(List.of(args));
    List<String> full = user.command(cmd);
    ProcessBuilder b =
        new ProcessBuilder(full)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(pgCtlLog.toFile()));
    b.environment().putAll(user.environment());
    b.environment().put("LC_ALL", "C");
    b.directory(data.getParent().toFile());
    Files.writeString(
        pgCtlLog,
        "$ " + String.join(" ", full) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    Process p = b.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new StepFailure(name + " did not finish within 10 minutes", List.of(pgCtlLog, log));
    }
    if (p.exitValue() != 0) {
      throw new StepFailure(
          name + " failed with exit status " + p.exitValue(),
          Files.exists(log) ? List.of(pgCtlLog, log) : List.of(pgCtlLog));
    }
  }
}
