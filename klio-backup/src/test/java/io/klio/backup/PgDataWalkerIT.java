package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On real running servers with an unlogged table, a temporary table held open and a tablespace
 * outside the data directory, the walker takes exactly the files PostgreSQL's own base backup lists
 * in its backup_manifest: the server's BASE_BACKUP (TARGET 'server', every major) and, on 15, also
 * the real {@code pg_basebackup -Fp}.
 */
class PgDataWalkerIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  private static final Pattern PATH = Pattern.compile("\"Path\": \"((?:[^\"\\\\]|\\\\.)*)\"");

  @ParameterizedTest
  @MethodSource("versions")
  void takesWhatPostgresTakes(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major).with("autovacuum", "off"));
    Path ts = PgTools.serverDirectory("klio-ts-");
    cleanup.add(ts);
    s.sql("CREATE TABLESPACE ts LOCATION '" + ts + "'");
    s.sql(
        "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g;"
            + "CREATE INDEX ON t (id);"
            + "CREATE UNLOGGED TABLE u AS SELECT g FROM generate_series(1, 10000) g;"
            + "CREATE TABLE tt TABLESPACE ts AS SELECT generate_series(1, 5000) AS id;"
            + "CREATE UNLOGGED TABLE ut TABLESPACE ts AS SELECT generate_series(1, 5000) AS id;");
    s.sql("VACUUM");
    s.sql("CHECKPOINT");
    Process temp =
        s.sqlAsync(
            "CREATE TEMP TABLE tmp_t AS SELECT generate_series(1, 1000) AS g; SELECT pg_sleep(600)");
    try {
      awaitTemporaryRelation(s.dataDirectory());
      PgDataWalker walker = PgDataWalker.open(s.dataDirectory());
      assertThat(walker.serverMajor()).isEqualTo(major);
      List<DataFile> walked = PgDataWalkerTest.walk(walker);
      Set<String> files = new TreeSet<>(PgDataWalkerTest.files(walked));
      assertThat(files).noneMatch(f -> f.matches(".*/t[0-9]+_[0-9]+.*"));
      assertThat(files).anyMatch(f -> f.startsWith("pg_tblspc/") && f.endsWith("_init"));

      Set<String> server = manifestPaths(serverSideBackup(s));
      assertThat(server).hasSizeGreaterThan(500).contains("PG_VERSION", "global/pg_control");
      assertThat(server).anyMatch(f -> f.startsWith("pg_tblspc/") && f.endsWith("_init"));
      assertThat(files).as("the walker against BASE_BACKUP's manifest").isEqualTo(server);
      if (major == 15) {
        Set<String> client = manifestPaths(pgBasebackup(s, ts));
        assertThat(files).as("the walker against pg_basebackup -Fp's manifest").isEqualTo(client);
      }
      // PostgreSQL 18's pg_basebackup is not installed here (the Maven binaries hold only the
      // server); BASE_BACKUP above is the same server code that pg_basebackup drives.

      List<String> dirs = PgDataWalkerTest.directories(walked);
      assertThat(dirs).contains("pg_wal", "pg_wal/archive_status", "pg_replslot", "pg_stat_tmp");
      if (major >= 17) {
        assertThat(dirs).contains("pg_wal/summaries");
      }
      assertThat(walked.get(walked.size() - 1).path()).isEqualTo("global/pg_control");
      assertThat(walker.tablespaces())
          .singleElement()
          .satisfies(t -> assertThat(t.getLocation()).isEqualTo(ts.toString()));
    } finally {
      temp.destroyForcibly();
      cleanup.forEach(PgDataWalkerIT::remove);
      cleanup.clear();
    }
  }

  private static final List<Path> cleanup = new java.util.ArrayList<>();

  static void remove(Path p) {
    PgTools.run(List.of("rm", "-rf", p.toString()), Map.of());
  }

  /** Waits until the temporary table's file exists on disk (its transaction stays open). */
  private static void awaitTemporaryRelation(Path data) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.walk(data.resolve("base"))) {
        if (files.anyMatch(p -> p.getFileName().toString().matches("t[0-9]+_[0-9]+"))) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the temporary table's file did not appear in " + data);
  }

  /** BASE_BACKUP with TARGET 'server': the server writes base.tar and its backup_manifest. */
  private static Path serverSideBackup(PostgresServer s) throws IOException {
    Path out = PgTools.serverDirectory("klio-bb-server-");
    cleanup.add(out);
    ProcessBuilder pb =
        new ProcessBuilder(
                concat(
                    PgTools.psql(s, " replication=database"),
                    "-c",
                    "BASE_BACKUP (LABEL 'klio-it', TARGET 'server', TARGET_DETAIL '"
                        + out
                        + "', MANIFEST 'yes', CHECKPOINT 'fast', WAIT false)"))
            .redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", s.password());
    Process p = pb.start();
    p.getOutputStream().close();
    // psql does not make sense of the server target's CopyOut and fails at the end; the manifest,
    // whole with its checksum, is what shows that the backup completed
    p.getInputStream().readAllBytes();
    try {
      p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    Path manifest = out.resolve("backup_manifest");
    assertThat(Files.readString(manifest)).contains("\"Manifest-Checksum\"");
    return manifest;
  }

  private static Path pgBasebackup(PostgresServer s, Path ts) throws IOException {
    Path out = Files.createTempDirectory("klio-bb-client-");
    Files.delete(out);
    Path tsOut = Files.createTempDirectory("klio-bb-client-ts-");
    cleanup.add(out);
    cleanup.add(tsOut);
    PgTools.run(
        List.of(
            PgTools.PG15_BIN.resolve("pg_basebackup").toString(),
            "-h",
            s.socketDirectory().toString(),
            "-p",
            Integer.toString(s.port()),
            "-U",
            PostgresServer.SUPERUSER,
            "-D",
            out.toString(),
            "-Fp",
            "-X",
            "none",
            "-c",
            "fast",
            "--no-sync",
            "--tablespace-mapping=" + ts + "=" + tsOut),
        Map.of("PGPASSWORD", s.password()));
    return out.resolve("backup_manifest");
  }

  static Set<String> manifestPaths(Path manifest) throws IOException {
    Matcher m = PATH.matcher(Files.readString(manifest));
    Set<String> paths = new TreeSet<>();
    while (m.find()) {
      paths.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    paths.remove("backup_label");
    paths.remove("tablespace_map");
    return paths;
  }

  private static List<String> concat(List<String> a, String... more) {
    return Stream.concat(a.stream(), Stream.of(more)).collect(Collectors.toList());
  }
}
