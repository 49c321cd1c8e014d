package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.VerifyFinding;
import io.klio.backup.pgmanifest.BackupManifestVerifier;
import io.klio.client.BackupOptions;
import io.klio.client.KlioConnection;
import io.klio.client.VerifyOutcome;
import io.klio.server.cli.Main;
import io.klio.server.config.ClientConfig;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code klio restore} end to end against a real server and PostgreSQL: one base backup taken while
 * a loop writes, then marked changes, a restore point, a recorded time and a dropped table; several
 * restores of that one backup (immediate, LSN, xid, name, time) each start and hold exactly the
 * state at their target. Around them: pg_verifybackup and Klio's verifier agree on a restored
 * directory and on a tampered one, pg_amcheck finds nothing, a tablespace outside the data
 * directory comes back with and without --tablespace-mapping, a non-empty target is refused with
 * nothing written, and one flipped byte in a pack is named (file and pack) by restore and verify.
 */
class PointInTimeRestoreIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled().stream().filter(v -> v == 15 || v == 18).toList();
  }

  /** A restore through the command line, in this JVM: its exit status and stderr. */
  record Run(int status, String err) {}

  @ParameterizedTest
  @MethodSource("versions")
  void restoresToEachKindOfTarget(int major) throws Exception {
    System.setProperty(
        "klio.launcher",
        Path.of(System.getProperty("user.dir")).getParent().resolve("klio").toString());
    PostgresServer primary = pg.start(PostgresConfig.of(major));
    // the postgres OS user reaches the tablespace directories below
    Files.setPosixFilePermissions(
        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path tsDir = tmp.resolve("ts-original");
    Files.createDirectories(tsDir);
    chownPostgres(tsDir);
    primary.sql("CREATE TABLESPACE ts LOCATION '" + tsDir + "'");
    primary.sql(
        "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE m (phase text);"
            + " CREATE TABLE load (id serial, v text);"
            + " CREATE TABLE in_ts (id int, v text) TABLESPACE ts;"
            + " INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g;"
            + " INSERT INTO in_ts SELECT g, 'ts' FROM generate_series(1, 5000) g;"
            + " CREATE INDEX ON in_ts (id)");
    Files.createDirectories(tmp.resolve("klio"));
    try (KlioFixture klio =
        new KlioFixture(tmp.resolve("klio"), WalPathIT.conn(primary), false, "")) {
      klio.startServer();
      klio.startSendWal();
      WalPathIT.awaitFlushed(primary, Lsn.parse(primary.sql("SELECT pg_current_wal_lsn()")));
      ClientConfig.Resolved client = ClientConfig.load(klio.clientConfig());
      BackupSummary backup;
      try (KlioConnection c = KlioConnection.open(client.client())) {
        // a base backup while a loop commits
        Process load =
            primary.sqlAsync(
                "DO $$ BEGIN FOR i IN 1..3000 LOOP INSERT INTO load (v) SELECT md5(i::text);"
                    + " UPDATE t SET v = md5(v) WHERE id = 1 + i % 20000; COMMIT; END LOOP; END $$");
        backup =
            c.backups()
                .backup(
                    BackupOptions.of(primary.dataDirectory(), WalPathIT.conn(primary)).withJobs(2),
                    io.klio.client.BackupListener.NONE)
                .summary();
        assertThat(load.waitFor()).isZero();
      }
      String loadCount = primary.sql("SELECT count(*) FROM load");
      primary.sql("INSERT INTO m VALUES ('a')");
      String lsn = primary.sql("SELECT pg_current_wal_insert_lsn()");
      primary.sql("INSERT INTO m VALUES ('b')");
      String xid = primary.sql("INSERT INTO m VALUES ('c') RETURNING txid_current()");
      primary.sql("INSERT INTO m VALUES ('d')");
      primary.sql("SELECT pg_create_restore_point('before-e')");
      primary.sql("INSERT INTO m VALUES ('e')");
      Thread.sleep(1100);
      String time =
          primary.sql(
              "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                  + " 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
      Thread.sleep(1100);
      primary.sql("DROP TABLE t");
      primary.sql("INSERT INTO m VALUES ('f')");
      Lsn end = Lsn.parse(primary.sql("SELECT pg_current_wal_lsn()"));
      WalPathIT.awaitFlushed(primary, end);

      // a non-empty target is refused, and nothing is written into it
      Path busy = tmp.resolve("busy");
      Files.createDirectories(busy);
      Files.writeString(busy.resolve("keep"), "mine");
      Run refused = restore(klio, busy, "--target", "immediate");
      assertThat(refused.status()).as(refused.err()).isEqualTo(3);
      assertThat(refused.err()).contains("is not empty");
      try (Stream<Path> s = Files.list(busy)) {
        assertThat(s.toList()).containsExactly(busy.resolve("keep"));
      }
      // a target after the newest WAL is refused naming the reachable range
      Run late = restore(klio, tmp.resolve("late"), "--target-lsn", "FF/0");
      assertThat(late.status()).as(late.err()).isEqualTo(3);
      assertThat(late.err()).contains("reachable LSNs");
      assertThat(tmp.resolve("late")).doesNotExist();

      // immediate: the backup's end; its directory verifies with both verifiers, then tampered
      PostgresServer immediate = pg.adopt(primary.restoreTarget());
      Path tsImmediate = tmp.resolve("ts-immediate");
      Run r =
          restore(
              klio,
              immediate.dataDirectory(),
              "--target",
              "immediate",
              "--target-action",
              "promote",
              "--tablespace-mapping",
              tsDir + "=" + tsImmediate);
      assertThat(r.status()).as(r.err()).isZero();
      assertThat(pgVerifyBackup(major, immediate.dataDirectory())).isEqualTo("ok");
      assertThat(
              BackupManifestVerifier.verify(
                      immediate.dataDirectory(),
                      BackupManifestVerifier.Options.defaults().emulating(major))
                  .ok())
          .isTrue();
      Path victim = largestFile(immediate.dataDirectory().resolve("base"));
      flipByte(victim, 100);
      assertThat(pgVerifyBackup(major, immediate.dataDirectory())).contains("checksum mismatch");
      var tampered =
          BackupManifestVerifier.verify(
              immediate.dataDirectory(),
              BackupManifestVerifier.Options.defaults().emulating(major));
      assertThat(tampered.ok()).isFalse();
      assertThat(tampered.findings().toString())
          .contains(immediate.dataDirectory().relativize(victim).toString());
      flipByte(victim, 100);
      chownPostgres(tsImmediate);
      immediate.startRestored();
      immediate.awaitRecoveryEnd(Duration.ofMinutes(3));
      assertThat(immediate.sql("SELECT count(*) FROM m")).isEqualTo("0");
      assertThat(immediate.sql("SELECT count(*) FROM t")).isEqualTo("20000");
      assertThat(immediate.sql("SELECT count(*) FROM in_ts")).isEqualTo("5000");
      immediate.close();

      assertRestored(klio, primary, "a", "--target-lsn", lsn).close();
      assertRestored(klio, primary, "abc", "--target-xid", xid).close();
      assertRestored(klio, primary, "ab", "--target-xid", xid, "--target-inclusive=false").close();
      assertRestored(klio, primary, "abcd", "--target-name", "before-e").close();

      // the time: everything before, t still there, the load complete; pg_amcheck is content
      PostgresServer atTime = assertRestored(klio, primary, "abcde", "--target-time", time);
      assertThat(atTime.sql("SELECT count(*) FROM t")).isEqualTo("20000");
      assertThat(atTime.sql("SELECT count(*) FROM load")).isEqualTo(loadCount);
      if (major == 15) {
        // (the PostgreSQL 18 binaries the build fetches come without contrib's amcheck)
        assertThat(pgAmcheck(atTime)).isZero();
      }
      atTime.close();

      // the tablespace at its original location (the primary's is moved away first)
      String oid = primary.sql("SELECT oid FROM pg_tablespace WHERE spcname = 'ts'");
      primary.stop();
      Files.move(tsDir, tmp.resolve("ts-primary"));
      PostgresServer inPlace = pg.adopt(primary.restoreTarget());
      Run rp =
          restore(
              klio,
              inPlace.dataDirectory(),
              "--target-name",
              "before-e",
              "--target-action",
              "promote");
      assertThat(rp.status()).as(rp.err()).isZero();
      assertThat(Files.readSymbolicLink(inPlace.dataDirectory().resolve("pg_tblspc/" + oid)))
          .isEqualTo(tsDir);
      chownPostgres(tsDir);
      inPlace.startRestored();
      inPlace.awaitRecoveryEnd(Duration.ofMinutes(3));
      assertThat(inPlace.sql("SELECT count(*) FROM in_ts")).isEqualTo("5000");
      inPlace.close();

      // one flipped byte in a pack: verify and restore name the pack and the file
      Path pack = largestFile(klio.tier1.resolve("packs"));
      flipByte(pack, Files.size(pack) / 2);
      try (KlioConnection c = KlioConnection.open(client.client())) {
        VerifyOutcome v = c.backups().verify(backup.getBackupId(), p -> {});
        assertThat(v.findings()).isNotEmpty();
        VerifyFinding f = v.findings().get(0);
        assertThat(f.getLocation()).contains(pack.getFileName().toString());
        assertThat(f.getPath()).isNotEmpty();
        Run bad =
            restore(
                klio,
                tmp.resolve("bad"),
                "--target",
                "immediate",
                "--tablespace-mapping",
                tsDir + "=" + tmp.resolve("ts-bad"));
        assertThat(bad.status()).as(bad.err()).isEqualTo(1);
        assertThat(bad.err())
            .contains("restoring ")
            .contains("offset")
            .contains(pack.getFileName().toString());
      }
    }
  }

  /** Restores with {@code target}, starts the result, checks table m holds {@code phases}. */
  private PostgresServer assertRestored(
      KlioFixture klio, PostgresServer primary, String phases, String... target) throws Exception {
    PostgresServer s = pg.adopt(primary.restoreTarget());
    Path ts = tmp.resolve("ts-" + s.dataDirectory().getParent().getFileName());
    List<String> args = new ArrayList<>(List.of(target));
    args.addAll(
        List.of(
            "--target-action",
            "promote",
            "--tablespace-mapping",
            tmp.resolve("ts-original") + "=" + ts,
            "--output",
            "json"));
    Run r = restore(klio, s.dataDirectory(), args.toArray(String[]::new));
    assertThat(r.status()).as(r.err()).isZero();
    chownPostgres(ts);
    s.startRestored();
    s.awaitRecoveryEnd(Duration.ofMinutes(3));
    assertThat(s.sql("SELECT string_agg(phase, '' ORDER BY phase) FROM m"))
        .as(String.join(" ", target))
        .isEqualTo(phases);
    return s;
  }

  private static Run restore(KlioFixture klio, Path dir, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "restore",
                "--config",
                klio.clientConfig().toString(),
                "--pgdata",
                dir.toString(),
                "--jobs",
                "2"));
    args.addAll(List.of(more));
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = Main.run(args.toArray(String[]::new));
    } finally {
      System.setErr(err);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    err.print(text);
    return new Run(status, text);
  }

  private static Path largestFile(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
  }

  private static void chownPostgres(Path p) throws Exception {
    if ("root".equals(System.getProperty("user.name"))) {
      assertThat(
              new ProcessBuilder("chown", "-R", "postgres", p.toString())
                  .inheritIO()
                  .start()
                  .waitFor())
          .isZero();
    }
  }

  private static Path clientBin(int major) {
    return major == 15
        ? Path.of("/usr/lib/postgresql/15/bin")
        : Path.of(System.getProperty("klio.test.pg18ClientBin", "/opt/klio-pg18-client/bin"));
  }

  /** pg_verifybackup -n of the same major: "ok", or what it said. */
  private static String pgVerifyBackup(int major, Path dir) throws Exception {
    Process p =
        new ProcessBuilder(
                clientBin(major).resolve("pg_verifybackup").toString(), "-n", dir.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return p.waitFor() == 0 ? "ok" : out;
  }

  private static int pgAmcheck(PostgresServer s) throws Exception {
    Path bin = s.binDirectory().resolve("pg_amcheck");
    ProcessBuilder pb =
        new ProcessBuilder(
                bin.toString(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(s.port()),
                "-U",
                "postgres",
                "--all",
                "--install-missing",
                "--heapallindexed")
            .inheritIO();
    pb.environment().put("PGPASSWORD", s.password());
    return pb.start().waitFor();
  }
}
