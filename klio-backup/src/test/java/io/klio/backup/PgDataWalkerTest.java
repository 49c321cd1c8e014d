package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.grpc.v1.Tablespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the walker takes and leaves out of a data directory built by hand. */
class PgDataWalkerTest {

  @TempDir Path tmp;

  static List<DataFile> walk(PgDataWalker w) throws Exception {
    List<DataFile> out = new ArrayList<>();
    try (PgDataWalker.Walk walk = w.walk()) {
      for (Optional<DataFile> f = walk.next(); f.isPresent(); f = walk.next()) {
        out.add(f.get());
      }
    }
    return out;
  }

  static List<String> files(List<DataFile> l) {
    return l.stream().filter(f -> !f.isDirectory()).map(DataFile::path).toList();
  }

  static List<String> directories(List<DataFile> l) {
    return l.stream().filter(DataFile::isDirectory).map(DataFile::path).toList();
  }

  /** Everything basebackup.c has a rule for, in one tree. */
  static TestDataDirectory everyRule(Path tmp, int major) {
    Path data = tmp.resolve("data");
    Path ext = tmp.resolve("ts1");
    TestDataDirectory d = new TestDataDirectory(data, major, 1).skeleton();
    String vd = d.versionDirectory();
    d.file("global/1262", 8192).file("global/pg_internal.init", 100);
    d.file("base/1/1259", 16384).file("base/1/1259_fsm", 8192);
    d.file("base/1/16384", 8192).file("base/1/16384_init", new byte[0], 0600);
    d.file("base/1/16384_fsm", 8192).file("base/1/16384.1", 100);
    d.file("base/1/t3_16390", 8192).file("base/1/t3_16390_fsm", 100);
    d.file("base/1/pg_internal.init", 10).file("base/1/pgsql_tmp/x", 10);
    d.file("base/pgsql_tmp/pgsql_tmp123.0", 10);
    d.file("pg_wal/000000010000000000000001", 1000);
    d.file("pg_wal/archive_status/000000010000000000000001.done", new byte[0], 0600);
    for (String x :
        new String[] {
          "pg_replslot/slot/state",
          "pg_stat_tmp/db_0.stat",
          "pg_notify/0000",
          "pg_subtrans/0000",
          "pg_serial/0000",
          "pg_snapshots/00000003-0000001A-1",
          "pg_dynshmem/mmap.1"
        }) {
      d.file(x, 10);
    }
    d.file("pg_xact/0000", 8192);
    for (String x :
        new String[] {
          "postmaster.pid",
          "postmaster.opts",
          "backup_label",
          "tablespace_map",
          "backup_manifest",
          "postgresql.auto.conf.tmp",
          "current_logfiles.tmp",
          "postgresql.auto.conf",
          "current_logfiles",
          ".DS_Store"
        }) {
      d.file(x, 20);
    }
    d.symlink("link-outside", tmp.resolve("elsewhere"));
    TestDataDirectory.mkfifo(data.resolve("fifo"));
    // a tablespace outside: only its version directory counts
    d.fileAt(ext.resolve(vd + "/1/16400"), d.randomBytes(8192), 0600);
    d.fileAt(ext.resolve(vd + "/1/16401"), d.randomBytes(8192), 0600);
    d.fileAt(ext.resolve(vd + "/1/16401_init"), new byte[0], 0600);
    d.fileAt(ext.resolve("PG_14_202107181/1/99"), d.randomBytes(10), 0600);
    d.fileAt(ext.resolve("stray"), d.randomBytes(10), 0600);
    d.symlink("pg_tblspc/16385", ext);
    // an in-place tablespace (allow_in_place_tablespaces)
    d.file("pg_tblspc/16386/" + vd + "/1/16500", 8192).file("pg_tblspc/16386/stray", 10);
    // a tablespace whose directory lies inside the data directory
    d.file("mytbs/" + vd + "/1/16600", 8192);
    d.symlink("pg_tblspc/16387", data.resolve("mytbs"));
    d.symlink("pg_tblspc/notanoid", tmp);
    d.file("pg_tblspc/stray.txt", 10);
    return d;
  }

  @ParameterizedTest
  @ValueSource(ints = {15, 16, 17, 18})
  void takesWhatPostgresTakes(int major) throws Exception {
    TestDataDirectory d = everyRule(tmp, major);
    String vd = d.versionDirectory();
    PgDataWalker w = PgDataWalker.open(d.data);
    assertThat(w.serverMajor()).isEqualTo(major);
    assertThat(w.tablespaceVersionDirectory()).isEqualTo(vd);
    List<DataFile> all = walk(w);
    List<String> expectedFiles =
        new ArrayList<>(
            List.of(
                "PG_VERSION",
                "base/1/1259",
                "base/1/1259_fsm",
                "base/1/16384_init",
                "current_logfiles",
                "global/1262",
                "pg_tblspc/16385/" + vd + "/1/16400",
                "pg_tblspc/16385/" + vd + "/1/16401_init",
                "pg_tblspc/16386/" + vd + "/1/16500",
                "pg_tblspc/16387/" + vd + "/1/16600",
                "pg_tblspc/stray.txt",
                "pg_xact/0000",
                "postgresql.auto.conf",
                "global/pg_control"));
    if (major < 17) {
      expectedFiles.add(0, ".DS_Store");
    }
    assertThat(files(all)).containsExactlyElementsOf(expectedFiles);
    List<String> expectedDirs =
        new ArrayList<>(
            List.of(
                ".",
                "base",
                "base/1",
                "global",
                "mytbs",
                "pg_dynshmem",
                "pg_notify",
                "pg_replslot",
                "pg_serial",
                "pg_snapshots",
                "pg_stat_tmp",
                "pg_subtrans",
                "pg_tblspc",
                "pg_tblspc/16385",
                "pg_tblspc/16385/" + vd,
                "pg_tblspc/16385/" + vd + "/1",
                "pg_tblspc/16386",
                "pg_tblspc/16386/" + vd,
                "pg_tblspc/16386/" + vd + "/1",
                "pg_tblspc/16387",
                "pg_tblspc/16387/" + vd,
                "pg_tblspc/16387/" + vd + "/1",
                "pg_wal",
                "pg_wal/archive_status",
                "pg_xact"));
    if (major >= 17) {
      expectedDirs.add(expectedDirs.indexOf("pg_wal/archive_status") + 1, "pg_wal/summaries");
    }
    assertThat(directories(all)).containsExactlyInAnyOrderElementsOf(expectedDirs);
    // every directory comes before what it holds; the control file comes last
    for (int i = 0; i < all.size(); i++) {
      String p = all.get(i).path();
      int slash = p.lastIndexOf('/');
      String parent = slash < 0 ? "." : p.substring(0, slash);
      if (!p.equals(".")) {
        assertThat(all.subList(0, i).stream().map(DataFile::path)).as(p).contains(parent);
      }
    }
    assertThat(all.get(all.size() - 1).path()).isEqualTo("global/pg_control");
    DataFile wal = all.stream().filter(f -> f.path().equals("pg_wal")).findFirst().orElseThrow();
    DataFile status =
        all.stream()
            .filter(f -> f.path().equals("pg_wal/archive_status"))
            .findFirst()
            .orElseThrow();
    assertThat(status.mode()).isEqualTo(wal.mode());
    DataFile ts = all.stream().filter(f -> f.path().equals("pg_tblspc/16385")).findFirst().get();
    assertThat(ts.source()).isEqualTo(tmp.resolve("ts1"));
    DataFile pgVersion = all.stream().filter(f -> f.path().equals("PG_VERSION")).findFirst().get();
    assertThat(pgVersion.mode()).isEqualTo(0600);
    assertThat(pgVersion.size()).isEqualTo(3);
    assertThat(pgVersion.mtimeNanos()).isEqualTo(123_456_789);

    assertThat(w.tablespaces())
        .containsExactly(
            Tablespace.newBuilder()
                .setOid(16385)
                .setLocation(tmp.resolve("ts1").toString())
                .build(),
            Tablespace.newBuilder().setOid(16386).setLocation("pg_tblspc/16386").build(),
            Tablespace.newBuilder()
                .setOid(16387)
                .setLocation(d.data.resolve("mytbs").toString())
                .build());
  }

  /** A pg_wal that is a link (initdb -X) is taken as a directory with PGDATA's creation mode. */
  @ParameterizedTest
  @ValueSource(ints = {15, 18})
  void walAsLinkBecomesDirectory(int major) throws Exception {
    TestDataDirectory d = new TestDataDirectory(tmp.resolve("data"), major, 2).skeleton();
    d.dir("", 0750);
    d.fileAt(tmp.resolve("wal/000000010000000000000001"), new byte[100], 0600);
    d.symlink("pg_wal", tmp.resolve("wal"));
    d.symlink("pg_replslot", tmp.resolve("wal"));
    List<DataFile> all = walk(PgDataWalker.open(d.data));
    assertThat(files(all)).containsExactly("PG_VERSION", "global/pg_control");
    for (DataFile f : all) {
      if (f.path().startsWith("pg_wal") || f.path().equals("pg_replslot")) {
        assertThat(f.isDirectory()).isTrue();
        assertThat(f.mode()).as(f.path()).isEqualTo(0750);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {15})
  void refusesWhatIsNoDataDirectory(int major) throws Exception {
    Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> PgDataWalker.open(tmp.resolve("empty")))
        .hasMessageContaining("no PG_VERSION")
        .hasMessageContaining("PGDATA");
    TestDataDirectory old = new TestDataDirectory(tmp.resolve("old"), 14, 3).skeleton();
    assertThatThrownBy(() -> PgDataWalker.open(old.data)).hasMessageContaining("15 and newer");
    TestDataDirectory d = new TestDataDirectory(tmp.resolve("data"), major, 3).skeleton();
    d.file("global/pg_control", new byte[10], 0600);
    assertThatThrownBy(() -> PgDataWalker.open(d.data)).hasMessageContaining("shorter than 16");
  }
}
