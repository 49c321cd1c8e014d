package io.klio.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real, throwaway PostgreSQL server for tests, listening on a unix socket and on TCP at {@code
 * 127.0.0.1} on a free port, configured for physical replication. As root it runs as the {@code
 * postgres} OS user. Its files live under a fresh directory in the system temp directory, removed
 * by {@link #close()}.
 *
 * <p>Roles: {@link #SUPERUSER}, {@link #REPLICATION_USER} (LOGIN REPLICATION), {@link #PLAIN_USER}
 * (LOGIN only) and {@link #REJECTED_USER} (refused by {@code pg_hba.conf}), all with {@link
 * #password()}.
 *
 * <p>Not thread-safe: one test drives a server.
 */
public final class PostgresServer implements AutoCloseable {

  public static final String SUPERUSER = "postgres";
  public static final String REPLICATION_USER = "klio";
  public static final String PLAIN_USER = "plain";
  public static final String REJECTED_USER = "rejected";

  private final PostgresConfig config;
  private final Path bin;
  private final Path root;
  private final String password;
  private final PostgresTls tls;
  private int port;
  private boolean running;

  private PostgresServer(PostgresConfig config, Path root, String password, PostgresTls tls) {
    this.config = config;
    this.bin = PostgresBinaries.binDir(config.major());
    this.root = root;
    this.password = password;
    this.tls = tls;
  }

  /** Creates (initdb) and starts a new server. */
  public static PostgresServer start(PostgresConfig config) {
    Path root = newRoot("pg" + config.major());
    PostgresTls tls = config.tls() ? new PostgresTls(root.resolve("tls")) : null;
    PostgresServer s =
        new PostgresServer(
            config, root, "pw-" + UUID.randomUUID().toString().substring(0, 12), tls);
    s.initdb();
    s.start();
    return s;
  }

  private static Path newRoot(String prefix) {
    try {
      Path base = Path.of(System.getProperty("java.io.tmpdir"), "klio-pg");
      Files.createDirectories(base);
      Path root = Files.createTempDirectory(base, prefix + "-");
      Files.createDirectories(root.resolve("sock"));
      Files.createDirectories(root.resolve("log"));
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void initdb() {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                dataDirectory().toString(),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "--wal-segsize=" + config.walSegmentSizeMb()));
    Processes.chownToPostgres(root);
    Processes.runAsPostgres(Map.of(), null, cmd.toArray(String[]::new));
    setPasswords();
    ClusterFiles.writeHba(dataDirectory(), config.auth());
    ClusterFiles.includeTestConf(dataDirectory());
    port = freePort();
    writeTestConf();
  }

  private void setPasswords() {
    String q = "'" + password + "'";
    String sql =
        String.join(
            "\n",
            "ALTER ROLE " + SUPERUSER + " PASSWORD " + q + ";",
            "CREATE ROLE " + REPLICATION_USER + " LOGIN REPLICATION PASSWORD " + q + ";",
            "CREATE ROLE " + PLAIN_USER + " LOGIN PASSWORD " + q + ";",
            "CREATE ROLE " + REJECTED_USER + " LOGIN REPLICATION PASSWORD " + q + ";",
            "");
    Processes.runAsPostgres(
        Map.of(),
        sql,
        bin.resolve("postgres").toString(),
        "--single",
        "-D",
        dataDirectory().toString(),
        "-c",
        "password_encryption=" + config.auth().passwordEncryption,
        "postgres");
  }

  private void writeTestConf() {
    Map<String, String> s = new java.util.LinkedHashMap<>();
    s.put("listen_addresses", "'127.0.0.1'");
    s.put("port", Integer.toString(port));
    s.put("unix_socket_directories", "'" + socketDirectory() + "'");
    s.put("wal_level", "replica");
    s.put("max_wal_senders", "10");
    s.put("max_replication_slots", "10");
    s.put("hot_standby", "on");
    s.put("shared_buffers", "32MB");
    s.put("max_connections", "40");
    s.put("log_connections", "on");
    s.put("log_line_prefix", "'%m [%p] %q%u@%d '");
    s.put("password_encryption", "'" + config.auth().passwordEncryption + "'");
    if (tls != null) {
      Path t = root.resolve("tls");
      s.put("ssl", "on");
      s.put("ssl_cert_file", "'" + t.resolve("server.crt") + "'");
      s.put("ssl_key_file", "'" + t.resolve("server.key") + "'");
      s.put("ssl_ca_file", "'" + t.resolve("ca.crt") + "'");
    }
    s.putAll(config.settings());
    ClusterFiles.writeTestConf(dataDirectory(), s);
    Processes.chownToPostgres(root);
    if (tls != null) {
      Processes.runChecked(
          List.of("chmod", "0600", root.resolve("tls/server.key").toString()), Map.of());
    }
  }

  /** Starts the server and waits until it accepts connections. */
  public void start() {
    pgCtl("-l", logFile().toString(), "-w", "-t", "120", "start");
    running = true;
  }

  /** A clean (fast) shutdown. */
  public void stop() {
    if (!running) {
      return;
    }
    pgCtl("-m", "fast", "-w", "-t", "120", "stop");
    running = false;
  }

  /**
   * Kills the postmaster and all its processes with SIGKILL, like a crash of the pod. The next
   * {@link #start()} runs crash recovery.
   */
  public void kill() {
    Optional<Long> pid = postmasterPid();
    if (pid.isEmpty()) {
      running = false;
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-9", Long.toString(pid.get())));
    ProcessHandle.of(pid.get())
        .ifPresent(h -> h.children().forEach(c -> cmd.add(Long.toString(c.pid()))));
    Processes.run(cmd, Map.of(), null, null);
    ProcessHandle.of(pid.get()).ifPresent(h -> h.onExit().join());
    running = false;
  }

  /** {@link #stop()} then {@link #start()}. */
  public void restart() {
    stop();
    start();
  }

  public boolean isRunning() {
    return running;
  }

  private Optional<Long> postmasterPid() {
    Path pidFile = dataDirectory().resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      return Optional.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A cold copy of this server, as a backup taken with the server stopped: stops this server
   * cleanly, copies its data directory, starts this server again. The copy gets its own port and is
   * not started; start it in archive recovery ({@link #startRecovery}).
   */
  public PostgresServer coldCopy() {
    Path copyRoot = newRoot("pg" + config.major() + "-copy");
    stop();
    Processes.runChecked(
        List.of("cp", "-a", dataDirectory().toString(), copyRoot.resolve("data").toString()),
        Map.of());
    start();
    PostgresServer copy = new PostgresServer(config, copyRoot, password, tls);
    try {
      Files.deleteIfExists(copy.dataDirectory().resolve("postmaster.pid"));
      Files.deleteIfExists(copy.dataDirectory().resolve("postmaster.opts"));
      if (tls != null) {
        copyTree(root.resolve("tls"), copyRoot.resolve("tls"));
      }
      copy.port = freePort();
      copy.writeTestConf();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return copy;
  }

  /**
   * A server of this one's version and passwords whose data directory ({@link #dataDirectory()})
   * does not exist yet: restore a backup there (as {@code klio restore} does), then {@link
   * #startRestored()}. It gets its own port.
   */
  public PostgresServer restoreTarget() {
    PostgresServer copy =
        new PostgresServer(config, newRoot("pg" + config.major() + "-restored"), password, tls);
    try {
      if (tls != null) {
        copyTree(root.resolve("tls"), copy.root.resolve("tls"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    copy.port = freePort();
    return copy;
  }

  /**
   * Starts a restored data directory (of {@link #restoreTarget()}) as it is, with its recovery
   * settings: gives it this server's port and socket (rewriting the test settings file it was
   * restored with, so verify it before), owned by the postgres OS user, and waits until it accepts
   * connections.
   */
  public void startRestored() {
    writeTestConf();
    start();
  }

  /**
   * Starts this copy in archive recovery with {@code settings} (such as {@code restore_command},
   * values quoted as in postgresql.conf) and {@code recovery.signal}; returns once it accepts
   * connections (recovery may still be running: see {@link #awaitRecoveryEnd}).
   */
  public void startRecovery(Map<String, String> settings) {
    startWithSignal(settings, "recovery.signal");
  }

  private void startWithSignal(Map<String, String> settings, String signal) {
    try {
      ClusterFiles.appendConf(dataDirectory(), settings);
      Path file = dataDirectory().resolve(signal);
      if (!Files.exists(file)) { // a copy of a standby has its standby.signal already
        Files.createFile(file);
      }
      Processes.chownToPostgres(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    start();
  }

  /** Waits until recovery has ended (the server was promoted and accepts writes). */
  public void awaitRecoveryEnd(java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!"f".equals(sql("SELECT pg_is_in_recovery()"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "recovery did not end within " + timeout + "; see " + logFile());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Makes a streaming standby of this server from a cold copy ({@link #coldCopy}) that streams from
   * it as {@link #REPLICATION_USER}. Promote it with {@link #promote()}. Of a standby, it makes a
   * cascading standby, which follows its upstream to a new timeline when that is promoted.
   */
  public PostgresServer createStandby() {
    PostgresServer standby = coldCopy();
    standby.startWithSignal(
        Map.of(
            "primary_conninfo",
            "'host=127.0.0.1 port="
                + port
                + " user="
                + REPLICATION_USER
                + " password="
                + password
                + " application_name=standby'"),
        "standby.signal");
    return standby;
  }

  /** Promotes a standby to primary (a new timeline) and waits until it has finished. */
  public void promote() {
    pgCtl("-w", "-t", "120", "promote");
  }

  /**
   * Runs SQL as the superuser over the unix socket with {@code psql} and returns its output:
   * unaligned, tuples only, one row per line. Fails on any SQL error.
   */
  public String sql(String sql) {
    return Processes.runChecked(
            psqlCommand(sql), Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "30"))
        .strip();
  }

  /**
   * Starts {@code psql} running {@code sql} as the superuser and returns at once; the caller waits
   * for (or kills) the process. Output goes to the process's stdout.
   */
  public Process sqlAsync(String sql) {
    ProcessBuilder pb = new ProcessBuilder(psqlCommand(sql)).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", password);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** psql over the unix socket as the superuser: unaligned, tuples only, stop on error. */
  private List<String> psqlCommand(String sql) {
    return List.of(
        psql().toString(),
        "-X",
        "-A",
        "-t",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        socketDirectory().toString(),
        "-p",
        Integer.toString(port),
        "-U",
        SUPERUSER,
        "-d",
        "postgres",
        "-c",
        sql);
  }

  private void pgCtl(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(bin.resolve("pg_ctl").toString(), "-D", dataDirectory().toString()));
    cmd.addAll(List.of(args));
    Processes.runAsPostgres(Map.of(), null, cmd.toArray(String[]::new));
  }

  /** The system's {@code psql} (any major can talk to these servers for plain SQL). */
  static Path psql() {
    Path p = Path.of("/usr/lib/postgresql/15/bin/psql");
    return Files.isExecutable(p) ? p : Path.of("psql");
  }

  public PostgresConfig config() {
    return config;
  }

  public int major() {
    return config.major();
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** The directory of the unix socket ({@code host=} for libpq). */
  public Path socketDirectory() {
    return root.resolve("sock");
  }

  public Path dataDirectory() {
    return root.resolve("data");
  }

  public Path logFile() {
    return root.resolve("log/postgres.log");
  }

  /** The binaries in use ({@code initdb}, {@code pg_ctl}, {@code postgres} …). */
  public Path binDirectory() {
    return bin;
  }

  /** The password of every test role. */
  public String password() {
    return password;
  }

  /** The TLS material, when the config turned TLS on. */
  public Optional<PostgresTls> tls() {
    return Optional.ofNullable(tls);
  }

  /** A libpq keyword/value connection string over TCP for {@code user}. */
  public String connectionString(String user) {
    return "host=127.0.0.1 port=" + port + " user=" + user + " dbname=postgres";
  }

  /** Copies the server log to {@code target}. */
  public void copyLogTo(Path target) throws IOException {
    Files.createDirectories(target.getParent());
    if (Files.exists(logFile())) {
      Files.copy(logFile(), target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Stops the server (killing it if a clean stop fails) and deletes its files. */
  @Override
  public void close() {
    try {
      stop();
    } catch (RuntimeException e) {
      kill();
    } finally {
      Processes.run(List.of("rm", "-rf", root.toString()), Map.of(), null, null);
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL " + config.major() + " on 127.0.0.1:" + port + " (" + root + ")";
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.copy(
            p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
