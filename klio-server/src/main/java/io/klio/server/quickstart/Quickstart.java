package io.klio.server.quickstart;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code klio quickstart}: the whole product on this machine, nothing to configure. A throwaway
 * PostgreSQL, certificates, an encryption key, a Klio server on a temporary Tier 1, send-wal in
 * synchronous mode, a base backup, a workload, a point in time, damage, a second backup, a
 * point-in-time restore into a new directory, the restored cluster started and checked; then
 * everything stopped and (unless kept) removed. Every klio command runs as a child process through
 * the launcher, as a user would type it; PostgreSQL and the commands next to it run as {@link
 * OsUser}. Not thread-safe: one run per instance (the clean-up on Ctrl-C aside).
 */
public final class Quickstart {

  /**
   * @param dir the work directory ({@code --dir}); a new temporary one when empty
   * @param keep keep the directory (everything is stopped either way)
   * @param launcher the {@code klio} launcher that runs the other commands
   */
  public record Options(Optional<Path> dir, boolean keep, Path launcher) {}

  /** The exit status when a step fails. */
  public static final int FAILED = 1;

  static final String CLUSTER = "quickstart";
  static final String ROLE = "klio";
  static final String TABLE = "quickstart_accounts";
  private static final int BATCHES = 10;
  private static final int ROWS_PER_BATCH = 10_000;
  private static final Duration START = Duration.ofMinutes(2);
  private static final Duration LONG = Duration.ofMinutes(10);

  private final Options options;
  private final PrintStream out;
  private final Steps steps;
  private final List<Child> children = Collections.synchronizedList(new ArrayList<>());
  private final String password = newPassword();
  private final long started = System.nanoTime();
  private boolean closing;

  private OsUser user;
  private WorkDir dir;
  private KlioFiles files;
  private PostgresInstall install;
  private LocalPostgres primary;
  private LocalPostgres restored;
  private Child server;
  private Child sendWal;
  private BackupReport first;
  private BackupReport second;
  private String targetTime;
  private String restoredFrom;
  private String expected;
  private String check;
  private long tier1Bytes;
  private long restoredBytes;

  private static String newPassword() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private Quickstart(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.steps = new Steps(out);
  }

  /**
   * Runs the quickstart, printing each step and a summary to {@code out}; returns 0 when the data
   * came back, {@link #FAILED} when a step failed (it says which, with the end of that step's log).
   *
   * @throws IllegalArgumentException when {@code --dir} cannot be used
   */
  public static int run(Options options, PrintStream out) throws IOException {
    return new Quickstart(options, out).run();
  }

  private int run() throws IOException {
    user = OsUser.forPostgres();
    dir = WorkDir.create(options.dir(), user.switched());
    Thread hook = new Thread(this::interrupted, "klio-quickstart-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println(
        "klio quickstart: PostgreSQL, a Klio server and its clients in "
            + dir
            + (options.keep() ? " (kept: --keep)" : " (removed at the end unless --keep)"));
    boolean ok = false;
    try {
      files = new KlioFiles(dir, user, password);
      steps.run("postgres", "find PostgreSQL", this::findPostgres);
      steps.run("initdb", "create and start a PostgreSQL cluster", this::startPrimary);
      if (user.switched()) {
        steps.run("launcher", "check that OS user " + user + " can run klio", this::launcher);
      }
      steps.run("tls", "make a CA and certificates (klio tls)", this::certificates);
      steps.run("keys", "make an encryption key and key ring (klio keys)", this::keys);
      steps.run("server", "start the Klio server (klio server start)", this::startServer);
      steps.run("send-wal", "stream WAL synchronously (klio send-wal)", this::startSendWal);
      steps.run("backup 1", "take a base backup (klio backup)", () -> describe(first = backup(1)));
      steps.run("workload", "write a table", this::workload);
      steps.run("time", "note the point in time", this::noteTime);
      steps.run("damage", "drop the table", this::damage);
      steps.run("backup 2", "take a second base backup", () -> describe(second = backup(2)));
      steps.run("restore", "restore to the noted time (klio restore)", this::restore);
      steps.run("recovery", "start the restored cluster, wait for recovery", this::recover);
      steps.run("check", "check the restored table", this::check);
      steps.run("stop", "stop everything", this::stopAll);
      ok = true;
    } catch (StepFailure e) {
      out.println();
      out.println(
          options.keep()
              ? "The files are kept in " + dir + "."
              : "Everything was stopped and removed; klio quickstart --keep keeps the files.");
    } finally {
      cleanUp();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs or ran already
      }
    }
    if (!ok) {
      return FAILED;
    }
    Summary.print(
        out,
        new Summary.Run(
            (System.nanoTime() - started) / 1e9,
            check,
            options.launcher(),
            dir,
            options.keep(),
            install,
            user,
            files,
            primary,
            restored,
            tier1Bytes,
            restoredBytes,
            first,
            second,
            targetTime,
            restoredFrom,
            steps.timings()));
    return 0;
  }

  private String findPostgres() throws IOException, InterruptedException {
    install = PostgresInstall.find(dir.resolve("postgresql"));
    if (Files.exists(dir.resolve("postgresql"))) {
      user.letRead(dir.resolve("postgresql")); // unpacked from the Maven artifact
    }
    return "PostgreSQL " + install.version() + ", " + install.origin() + " in " + install.bin();
  }

  private String startPrimary() throws Exception {
    Path pg = dir.mkdirs("pg");
    Files.setPosixFilePermissions(pg, PosixFilePermissions.fromString("rwx------"));
    user.own(pg);
    primary =
        new LocalPostgres(install, user, pg.resolve("data"), WorkDir.freePort(), password, log());
    primary.initdb();
    Map<String, String> settings = new java.util.LinkedHashMap<>(primary.listening());
    settings.put("wal_level", "replica");
    settings.put("max_wal_senders", "10");
    settings.put("max_replication_slots", "10");
    primary.configure(settings);
    synchronized (this) {
      ensureOpen();
      primary.start();
    }
    primary.sql(
        "CREATE ROLE "
            + ROLE
            + " LOGIN REPLICATION PASSWORD '"
            + password
            + "'; GRANT pg_read_all_settings, pg_monitor TO "
            + ROLE
            + "; GRANT EXECUTE ON FUNCTION pg_backup_start(text, boolean),"
            + " pg_backup_stop(boolean), pg_switch_wal(), pg_create_restore_point(text) TO "
            + ROLE);
    files.writePgpass();
    return "127.0.0.1:"
        + primary.port()
        + ", data in "
        + primary.data()
        + (user.switched() ? ", as OS user " + user : "");
  }

  private String launcher() throws Exception {
    runKlio("version", true, "--version");
    return "yes (" + options.launcher() + ")";
  }

  private String certificates() throws Exception {
    Path pki = files.pki();
    runKlio(
        "tls-init",
        false,
        "tls",
        "init",
        pki.toString(),
        "--server-name",
        "localhost,127.0.0.1",
        "--cluster",
        CLUSTER);
    runKlio(
        "tls-add-client", false, "tls", "add-client", pki.toString(), "--cluster", "klio-admin");
    user.own(pki.resolve("clients").resolve(CLUSTER));
    return "a CA, the server's, cluster " + CLUSTER + "'s and an administrator's in " + pki;
  }

  private String keys() throws Exception {
    runKlio("keys-generate-kek", false, "keys", "generate-kek", "--out", files.kek().toString());
    runKlio(
        "keys-generate",
        false,
        "keys",
        "generate",
        "--repository",
        "file:" + files.tier1(),
        "--kek",
        "file:" + files.kek());
    return "key-encryption key " + files.kek() + ", key ring in Tier 1 " + files.tier1();
  }

  private String startServer() throws Exception {
    Path config = files.writeServerYaml();
    server = startKlio("server", false, "server", "start", "--config", config.toString());
    server.awaitReady(URI.create(files.serverHttp() + "/readyz"), START);
    return "gRPC on 127.0.0.1:"
        + files.grpcPort()
        + ", WAL socket on 127.0.0.1:"
        + files.walSocketPort()
        + ", encryption on";
  }

  private String startSendWal() throws Exception {
    Path config = files.writeClientYaml(primary);
    sendWal = startKlio("send-wal", true, "send-wal", "--config", config.toString());
    sendWal.awaitReady(URI.create(files.sendWalHttp() + "/readyz"), START);
    primary.sql("ALTER SYSTEM SET synchronous_standby_names = 'klio'");
    primary.sql("SELECT pg_reload_conf()");
    long deadline = System.nanoTime() + START.toNanos();
    String state = "";
    while (!"sync".equals(state)) {
      List<String> row =
          primary.sql("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'klio'");
      state = row.isEmpty() ? "" : row.get(0);
      if (!sendWal.isAlive()) {
        throw sendWal.failed("exited");
      }
      if (System.nanoTime() > deadline) {
        throw sendWal.failed(
            "is not PostgreSQL's synchronous standby within " + START.toSeconds() + " s");
      }
      Thread.sleep(100);
    }
    return "ready; PostgreSQL's synchronous standby (synchronous_standby_names = 'klio')";
  }

  private BackupReport backup(int n) throws Exception {
    Child c =
        runKlio(
            "backup-" + n,
            true,
            "backup",
            "--config",
            files.clientYaml().toString(),
            "--output",
            "json");
    return BackupReport.parse(c.output());
  }

  private static String describe(BackupReport b) {
    return b.id()
        + ", "
        + Summary.size(b.dataBytes())
        + " in "
        + b.fileCount()
        + " files, "
        + Summary.size(b.newBytes())
        + " of it new";
  }

  private String workload() throws IOException {
    primary.sql(
        "CREATE TABLE "
            + TABLE
            + " (id int PRIMARY KEY, balance bigint NOT NULL, note text NOT NULL)");
    for (int i = 0; i < BATCHES; i++) {
      primary.sql(
          "INSERT INTO "
              + TABLE
              + " SELECT g, g * 10, md5(g::text) FROM generate_series("
              + (i * ROWS_PER_BATCH + 1)
              + ", "
              + (i + 1) * ROWS_PER_BATCH
              + ") g");
    }
    expected = primary.value(contentQuery());
    return expected + " in " + (BATCHES + 1) + " transactions";
  }

  /** What the table holds, in one line (the same query on both clusters). */
  private static String contentQuery() {
    return "SELECT count(*) || ' rows, sum of balances ' || sum(balance) || ', md5 of notes '"
        + " || md5(string_agg(note, ',' ORDER BY id)) FROM "
        + TABLE;
  }

  private String noteTime() throws IOException {
    List<String> row =
        primary.sql(
            "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00',"
                + " pg_current_wal_flush_lsn(),"
                + " (SELECT flush_lsn FROM pg_stat_replication WHERE application_name = 'klio')");
    targetTime = row.get(0);
    return targetTime
        + " (PostgreSQL's WAL ends at "
        + row.get(1)
        + ", the Klio server has it up to "
        + row.get(2)
        + ")";
  }

  private String damage() throws IOException {
    primary.sql("DROP TABLE " + TABLE);
    return "DROP TABLE " + TABLE + " committed";
  }

  private String restore() throws Exception {
    Path target = primary.data().resolveSibling("restored");
    Files.createDirectory(
        target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    user.own(target);
    Child c =
        runKlio(
            "restore",
            true,
            "restore",
            "--config",
            files.clientYaml().toString(),
            "--pgdata",
            target.toString(),
            "--target-time",
            targetTime,
            "--target-action",
            "promote",
            "--output",
            "json");
    restoredFrom = BackupReport.restoredFrom(c.output());
    restored = new LocalPostgres(install, user, target, WorkDir.freePort(), password, log());
    return "backup "
        + restoredFrom
        + " into "
        + target
        + ", "
        + Summary.size(Summary.sizeOf(target));
  }

  private String recover() throws Exception {
    synchronized (this) {
      ensureOpen();
      restored.start(
          "-c port=" + restored.port(),
          "-c listen_addresses=127.0.0.1",
          "-c unix_socket_directories=''",
          "-c synchronous_standby_names=''");
    }
    long deadline = System.nanoTime() + LONG.toNanos();
    while (!"f".equals(restored.value("SELECT pg_is_in_recovery()"))) {
      if (!restored.isRunning() || System.nanoTime() > deadline) {
        throw new StepFailure(
            "recovery did not end"
                + (restored.isRunning() ? " within " + LONG.toMinutes() + " minutes" : ""),
            List.of(restored.log()));
      }
      Thread.sleep(200);
    }
    return "promoted, on 127.0.0.1:" + restored.port();
  }

  private String check() throws Exception {
    List<String> exists = restored.sql("SELECT 1 FROM pg_class WHERE relname = '" + TABLE + "'");
    if (exists.isEmpty()) {
      throw new StepFailure(
          "the restored cluster has no table " + TABLE + ": it was restored past the DROP TABLE",
          List.of(restored.log()));
    }
    String actual = restored.value(contentQuery());
    if (!actual.equals(expected)) {
      throw new StepFailure(
          "the restored table holds " + actual + ", not " + expected, List.of(restored.log()));
    }
    check = TABLE + " is back with " + actual + ", as at " + targetTime;
    return "ok, " + actual;
  }

  private String stopAll() throws Exception {
    restored.stop();
    primary.stop();
    sendWal.stop();
    server.stop();
    tier1Bytes = Summary.sizeOf(files.tier1());
    restoredBytes = Summary.sizeOf(restored.data());
    return "both PostgreSQL clusters, send-wal and the server";
  }

  /** Runs a klio command to its end (it must exit 0), as {@link #user} when {@code next}. */
  private Child runKlio(String name, boolean nextToPostgres, String... args) throws Exception {
    Child c = startKlio(name, nextToPostgres, args);
    c.awaitSuccess(LONG);
    return c;
  }

  private Child startKlio(String name, boolean nextToPostgres, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(options.launcher().toString()));
    cmd.addAll(List.of(args));
    synchronized (this) {
      ensureOpen();
      Child c =
          Child.start(
              name,
              nextToPostgres ? user.command(cmd) : cmd,
              nextToPostgres ? user.environment() : Map.of(),
              log().getParent());
      children.add(c);
      return c;
    }
  }

  private Path log() throws IOException {
    return dir.mkdirs("logs").resolve("pg_ctl.log");
  }

  private void ensureOpen() throws IOException {
    if (closing) {
      throw new IOException("interrupted");
    }
  }

  /** Ctrl-C (or SIGTERM): stop everything and remove the directory, as at the end of a run. */
  private void interrupted() {
    if (cleanUp()) {
      out.println();
      out.println(
          "klio quickstart: interrupted; stopped everything"
              + (options.keep() ? "; the files are kept in " + dir : " and removed " + dir));
      out.flush();
    }
  }

  /** Stops what still runs and removes the directory unless kept; false if done already. */
  private boolean cleanUp() {
    synchronized (this) {
      if (closing) {
        return false;
      }
      closing = true;
    }
    List<Child> all;
    synchronized (children) {
      all = new ArrayList<>(children);
    }
    Collections.reverse(all);
    for (Child c : all) {
      if (c != server && c != sendWal) {
        stopQuietly(c);
      }
    }
    if (restored != null) {
      restored.stopNow();
    }
    if (primary != null) {
      primary.stopNow();
    }
    stopQuietly(sendWal);
    stopQuietly(server);
    if (!options.keep()) {
      try {
        dir.remove();
      } catch (IOException e) {
        out.println("klio quickstart: could not remove " + dir + ": " + e.getMessage());
      }
    }
    return true;
  }

  private static void stopQuietly(Child c) {
    if (c == null) {
      return;
    }
    try {
      c.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
