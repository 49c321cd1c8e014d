package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.format.Codecs;
import io.klio.api.grpc.v1.Tablespace;
import io.klio.backup.recovery.RecoveryConfig;
import io.klio.backup.recovery.RecoveryTarget;
import io.klio.backup.recovery.TargetAction;
import io.klio.dedup.chunk.Chunkers;
import io.klio.dedup.repo.Sha256ChunkHasher;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An online backup of a real server (pg_backup_start, the walker and FileBackup into memory,
 * pg_backup_stop), restored with RestoreWriter into a new data directory with the tablespace
 * relocated, recovered with RecoveryConfig to a restore point from a WAL archive: the restored
 * server starts and holds exactly the data up to the restore point.
 */
class PostgresRoundTripIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private final List<Path> cleanup = new ArrayList<>();

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  @AfterEach
  void removeDirectories() {
    cleanup.forEach(PgDataWalkerIT::remove);
  }

  @ParameterizedTest
  @MethodSource("versions")
  void onlineBackupRestoresToARestorePoint(int major) throws Exception {
    Path archive = PgTools.serverDirectory("klio-archive-");
    Path ts = PgTools.serverDirectory("klio-ts-");
    cleanup.addAll(List.of(archive, ts));
    PostgresServer s =
        pg.start(
            PostgresConfig.of(major)
                .with("archive_mode", "on")
                .with("archive_command", "'cp %p " + archive + "/%f'"));
    s.sql("CREATE TABLESPACE ts LOCATION '" + ts + "'");
    s.sql(
        "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 50000) g;"
            + "CREATE TABLE tt TABLESPACE ts AS SELECT generate_series(1, 5000) AS id;"
            + "CREATE UNLOGGED TABLE u AS SELECT generate_series(1, 1000) AS id;");

    MemoryChunkStore store = new MemoryChunkStore();
    byte[] label;
    byte[] map;
    try (PgTools.Session session = new PgTools.Session(s)) {
      session.query("SELECT pg_backup_start('klio-it', true);");
      // changes while the backup runs: WAL replay repairs what the files miss
      s.sql("INSERT INTO t SELECT g, 'during' FROM generate_series(50001, 60000) g");
      PgDataWalker walker = PgDataWalker.open(s.dataDirectory());
      BackupResult r =
          FileBackup.builder()
              .chunker(Chunkers.parse("fastcdc(min=65536,avg=262144,max=1048576)"))
              .hasher(Sha256ChunkHasher.INSTANCE)
              .codec(Codecs.byName("zstd:3"))
              .sinks(store.sinks())
              .workers(2)
              .build()
              .run(walker);
      assertThat(r.files()).isGreaterThan(100);
      List<String> row = stopRow(session);
      label = HexFormat.of().parseHex(row.get(0));
      map = HexFormat.of().parseHex(row.get(1));
    }
    BackupLabel parsed = BackupLabel.parse(label);
    assertThat(parsed.label()).contains("klio-it");
    assertThat(new String(map)).startsWith(tablespaceOid(s) + " " + ts);

    s.sql("INSERT INTO t SELECT g, 'after' FROM generate_series(60001, 61000) g");
    s.sql("SELECT pg_create_restore_point('klio it''s point')");
    s.sql("INSERT INTO t SELECT g, 'too late' FROM generate_series(61001, 62000) g");
    String last = s.sql("SELECT pg_walfile_name(pg_switch_wal())");
    awaitArchived(archive.resolve(last));

    // a new server: its own port and directories; its data directory is ours to fill
    PostgresServer restored = pg.adopt(s.coldCopy());
    Path data = restored.dataDirectory();
    PgDataWalkerIT.remove(data);
    Path newTs = Files.createTempDirectory("klio-ts-new-");
    Files.delete(newTs);
    cleanup.add(newTs);
    List<Tablespace> tablespaces =
        List.of(
            Tablespace.newBuilder()
                .setOid(Integer.parseInt(tablespaceOid(s)))
                .setLocation(ts.toString())
                .build());
    List<WrittenFile> written = new ArrayList<>();
    RestoreWriter w =
        RestoreWriter.builder()
            .target(data)
            .tablespaces(tablespaces)
            .tablespaceMappings(List.of(new TablespaceMapping(ts.toString(), newTs.toString())))
            .hasher(Sha256ChunkHasher.INSTANCE)
            .sources(store.sources())
            .workers(2)
            .listener(
                new RestoreListener() {
                  @Override
                  public synchronized void fileWritten(WrittenFile f) {
                    written.add(f);
                  }
                })
            .build();
    RestoreResult rr = w.run(store.entries.iterator());
    assertThat(rr.files()).isEqualTo(written.size());
    w.writeBackupLabel(label);
    w.writeTablespaceMap(map);
    assertThat(Files.readString(data.resolve("tablespace_map"))).contains(newTs.toString());
    RecoveryConfig.of("cp " + archive + "/%f %p")
        .withTarget(RecoveryTarget.name("klio it's point"))
        .withAction(TargetAction.PROMOTE)
        .writeTo(data);
    // the restored configuration is the original server's: give the copy its own port
    Files.writeString(
        data.resolve("klio-test.conf"),
        "port = "
            + restored.port()
            + "\nunix_socket_directories = '"
            + restored.socketDirectory()
            + "'\narchive_mode = off\n",
        StandardOpenOption.APPEND);
    PgTools.chown(data.getParent());
    PgTools.chown(newTs);
    restored.start();
    restored.awaitRecoveryEnd(Duration.ofMinutes(2));

    assertThat(restored.sql("SELECT count(*) FROM t")).isEqualTo("61000");
    assertThat(restored.sql("SELECT count(*) FROM t WHERE v = 'too late'")).isEqualTo("0");
    assertThat(restored.sql("SELECT count(*) FROM tt")).isEqualTo("5000");
    assertThat(restored.sql("SELECT count(*) FROM u")).isEqualTo("0"); // unlogged: reset
    assertThat(
            restored.sql(
                "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'ts'"))
        .isEqualTo(newTs.toString());
    assertThat(Files.readSymbolicLink(data.resolve("pg_tblspc/" + tablespaceOid(s))))
        .isEqualTo(newTs);
  }

  /** A stopped server's data directory comes back byte for byte, with modes and times. */
  @ParameterizedTest
  @MethodSource("versions")
  void stoppedServerRestoresByteForByte(int major) throws Exception {
    Path ts = PgTools.serverDirectory("klio-ts-");
    cleanup.add(ts);
    PostgresServer s = pg.start(PostgresConfig.of(major));
    s.sql("CREATE TABLESPACE ts LOCATION '" + ts + "'");
    s.sql(
        "CREATE TABLE t TABLESPACE ts AS SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
    s.sql("CREATE UNLOGGED TABLE u AS SELECT generate_series(1, 1000) AS id");
    s.stop();
    MemoryChunkStore store = new MemoryChunkStore();
    PgDataWalker walker = PgDataWalker.open(s.dataDirectory());
    FileBackup.builder()
        .chunker(Chunkers.parse("fastcdc(min=16384,avg=65536,max=262144)"))
        .hasher(Sha256ChunkHasher.INSTANCE)
        .codec(Codecs.byName("zstd:1"))
        .sinks(store.sinks())
        .workers(3)
        .build()
        .run(walker);
    Path target = Files.createTempDirectory("klio-restored-");
    Path newTs = Files.createTempDirectory("klio-ts-new-");
    cleanup.addAll(List.of(target, newTs));
    RestoreWriter.builder()
        .target(target)
        .tablespaces(walker.tablespaces())
        .tablespaceMappings(List.of(new TablespaceMapping(ts.toString(), newTs.toString())))
        .hasher(Sha256ChunkHasher.INSTANCE)
        .sources(store.sources())
        .workers(2)
        .build()
        .run(store.entries.iterator());
    BackupRestoreTest.assertSameTree(
        PgDataWalkerTest.walk(walker), PgDataWalkerTest.walk(PgDataWalker.open(target)));
    assertThat(
            Files.readSymbolicLink(
                target.resolve("pg_tblspc/" + walker.tablespaces().get(0).getOid())))
        .isEqualTo(newTs);
    s.start();
  }

  private static String tablespaceOid(PostgresServer s) {
    return s.sql("SELECT oid FROM pg_tablespace WHERE spcname = 'ts'");
  }

  /** pg_backup_stop's label and map as hex, from the session that started the backup. */
  private static List<String> stopRow(PgTools.Session session) throws Exception {
    for (String line :
        session.query(
            "SELECT encode(convert_to(labelfile, 'UTF8'), 'hex') || '|' ||"
                + " encode(convert_to(spcmapfile, 'UTF8'), 'hex') FROM pg_backup_stop(true);")) {
      if (line.matches("[0-9a-f]+\\|[0-9a-f]*")) {
        String[] parts = line.split("\\|", -1);
        return List.of(parts[0], parts[1]);
      }
    }
    throw new AssertionError("pg_backup_stop returned no row");
  }

  private static void awaitArchived(Path segment) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!Files.exists(segment)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(segment + " was not archived within a minute");
      }
      Thread.sleep(100);
    }
  }
}
