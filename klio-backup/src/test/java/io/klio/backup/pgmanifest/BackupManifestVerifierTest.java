package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.backup.pgmanifest.BackupManifestVerifier.Finding;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Kind;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Options;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier on small directories; the agreement with pg_verifybackup is in the ITs. */
class BackupManifestVerifierTest {

  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void setUp() throws Exception {
    dir = tmp.resolve("data");
    DataDirs.populate(dir);
    DataDirs.writeManifest(dir, 1, ChecksumAlgorithm.CRC32C);
  }

  @Test
  void aMatchingDirectoryPasses() {
    Report r = verify(Options.defaults());
    assertThat(r.findings()).isEmpty();
    assertThat(r.ok()).isTrue();
    assertThat(r.manifestVersion()).hasValue(1);
    assertThat(r.manifestFiles()).isEqualTo(5);
    assertThat(r.checksummedFiles()).isEqualTo(5);
    assertThat(r.checksummedBytes()).isEqualTo(20_000 + 8192 + 3 + 3 + 30);
  }

  @Test
  void everyAlgorithmAndBothVersionsPass() throws Exception {
    for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
      for (int version : new int[] {1, 2}) {
        DataDirs.writeManifest(dir, version, a);
        assertThat(verify(Options.defaults()).findings()).as(a + " v" + version).isEmpty();
      }
    }
  }

  @Test
  void everyProblemIsReported() throws Exception {
    Files.write(dir.resolve("base/1/1259"), new byte[] {1}, StandardOpenOption.APPEND); // size
    Files.writeString(dir.resolve("PG_VERSION"), "19\n"); // same size, other bytes
    Files.delete(dir.resolve("base/1/PG_VERSION")); // missing
    Files.writeString(dir.resolve("base/extra"), "x"); // not in the manifest
    mkfifo(dir.resolve("fifo"));
    Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
    assertThat(verify(Options.defaults()).findings())
        .containsExactlyInAnyOrder(
            finding(
                Kind.SIZE_MISMATCH,
                "base/1/1259",
                "\"base/1/1259\" has size 20001 on disk but size 20000 in the manifest"),
            finding(
                Kind.MISSING,
                "base/1/PG_VERSION",
                "\"base/1/PG_VERSION\" is present in the manifest but not on disk"),
            finding(
                Kind.NOT_IN_MANIFEST,
                "base/extra",
                "\"base/extra\" is present on disk but not in the manifest"),
            finding(Kind.NOT_REGULAR_FILE, "fifo", "\"fifo\" is not a regular file or directory"),
            finding(
                Kind.UNREADABLE,
                "dangling",
                "could not stat file or directory \"dangling\": No such file or directory"),
            finding(
                Kind.CHECKSUM_MISMATCH, "PG_VERSION", "checksum mismatch for file \"PG_VERSION\""));
    // without checksums, the changed bytes go unnoticed
    assertThat(verify(Options.defaults().skippingChecksums()).findings())
        .extracting(Finding::kind)
        .doesNotContain(Kind.CHECKSUM_MISMATCH)
        .hasSize(5);
  }

  @Test
  void ignoredPathsAreLeftOut() throws Exception {
    Files.writeString(dir.resolve("pg_wal/000000010000000000000002"), "wal");
    Files.writeString(dir.resolve("pg_wal/archive_status/x.done"), "");
    Files.writeString(dir.resolve("postgresql.auto.conf"), "x = 1\n");
    Files.writeString(dir.resolve("recovery.signal"), "");
    Files.writeString(dir.resolve("standby.signal"), "");
    Files.writeString(dir.resolve("postgresql.conf"), "x = 1\n");
    Files.createDirectories(dir.resolve("custom/deeper"));
    Files.writeString(dir.resolve("custom/deeper/f"), "");
    Files.writeString(dir.resolve("customary"), "");
    Files.delete(dir.resolve("base/1/PG_VERSION"));
    assertThat(verify(Options.defaults()).findings())
        .extracting(f -> f.path().orElseThrow())
        .containsExactlyInAnyOrder(
            "postgresql.conf", "custom/deeper/f", "customary", "base/1/PG_VERSION");
    // an ignore path covers itself and what is under it, not a longer name; missing files too
    assertThat(
            verify(Options.defaults().ignoring("postgresql.conf", "./custom/", "base/1"))
                .findings())
        .extracting(f -> f.path().orElseThrow())
        .containsExactly("customary");
  }

  @Test
  void symbolicLinksAreFollowed() throws Exception {
    // a tablespace: pg_tblspc/<oid> is a link to a directory elsewhere
    Path ts = tmp.resolve("ts");
    Files.createDirectories(ts.resolve("PG_18_202506291/5"));
    Files.writeString(ts.resolve("PG_18_202506291/5/16390"), "table");
    Files.createDirectories(dir.resolve("pg_tblspc"));
    Files.createSymbolicLink(dir.resolve("pg_tblspc/16389"), ts);
    DataDirs.writeManifest(dir, 1, ChecksumAlgorithm.SHA256);
    assertThat(Files.readString(dir.resolve("backup_manifest")))
        .contains("\"Path\": \"pg_tblspc/16389/PG_18_202506291/5/16390\"");
    assertThat(verify(Options.defaults()).findings()).isEmpty();
    Files.writeString(ts.resolve("PG_18_202506291/5/16390"), "TABLE");
    assertThat(verify(Options.defaults()).findings())
        .extracting(Finding::kind)
        .containsExactly(Kind.CHECKSUM_MISMATCH);
    // a link that makes a directory its own descendant is reported once, not walked forever
    Files.createSymbolicLink(dir.resolve("base/1/loop"), dir.resolve("base"));
    assertThat(verify(Options.defaults()).findings())
        .extracting(Finding::kind)
        .containsExactlyInAnyOrder(Kind.CHECKSUM_MISMATCH, Kind.UNREADABLE);
  }

  @Test
  void version2ChecksTheControlFile() throws Exception {
    DataDirs.writeManifest(dir, 2, ChecksumAlgorithm.CRC32C);
    assertThat(verify(Options.defaults()).findings()).isEmpty();
    assertThat(verify(Options.defaults().emulating(18)).findings()).isEmpty();
    // pg_verifybackup 17 reads the CRC at 288 and wants control version 1700
    assertThat(verify(Options.defaults().emulating(17)).findings())
        .containsExactly(
            finding(Kind.CONTROL_FILE, "global/pg_control", "global/pg_control: CRC is incorrect"));
    // before 17 a version 2 manifest is refused outright
    assertThat(verify(Options.defaults().emulating(16)).findings())
        .extracting(Finding::kind, Finding::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                Kind.MANIFEST,
                "could not parse backup manifest: unexpected manifest version (line 1)"));

    Files.write(dir.resolve("global/pg_control"), DataDirs.controlFile(43, 1800, 292));
    DataDirs.writeManifest(dir, 1, ChecksumAlgorithm.CRC32C);
    assertThat(verify(Options.defaults()).findings()).isEmpty(); // version 1: not checked
    String v2 =
        Files.readString(dir.resolve("backup_manifest"))
            .replace("Version\": 1,\n", "Version\": 2,\n\"System-Identifier\": 42,\n");
    Files.writeString(dir.resolve("backup_manifest"), ManifestBytes.withChecksum(v2));
    assertThat(verify(Options.defaults()).findings())
        .containsExactly(
            finding(
                Kind.CONTROL_FILE,
                "global/pg_control",
                "global/pg_control: manifest system identifier is 42, but control file has 43"));

    for (byte[] bad :
        List.of(
            DataDirs.controlFile(42, 1800, 288),
            DataDirs.controlFile(42, 1700, 292),
            DataDirs.controlFile(42, 1600, 288),
            new byte[8])) {
      Files.write(dir.resolve("global/pg_control"), bad);
      DataDirs.writeManifest(dir, 2, ChecksumAlgorithm.CRC32C);
      assertThat(verify(Options.defaults()).findings())
          .extracting(Finding::kind)
          .containsExactly(Kind.CONTROL_FILE);
    }
    Files.write(dir.resolve("global/pg_control"), DataDirs.controlFile(42, 1700, 288));
    DataDirs.writeManifest(dir, 2, ChecksumAlgorithm.CRC32C);
    assertThat(verify(Options.defaults()).findings()).isEmpty();
    assertThat(verify(Options.defaults().emulating(17)).findings()).isEmpty();
    assertThat(verify(Options.defaults().emulating(18)).findings())
        .extracting(Finding::message)
        .containsExactly("global/pg_control: CRC is incorrect");
  }

  @Test
  void anUnusableManifestIsTheOneFinding() throws Exception {
    Files.writeString(dir.resolve("base/extra"), "x");
    Files.writeString(
        dir.resolve("backup_manifest"),
        "x\n",
        StandardOpenOption.APPEND); // anything after the checksum line
    Report r = verify(Options.defaults());
    assertThat(r.findings())
        .containsExactly(
            new Finding(
                Kind.MANIFEST,
                Optional.empty(),
                "could not parse backup manifest: Token \"x\" is invalid. (line 13)"));
    assertThat(r.manifestVersion()).isEmpty();
    Files.delete(dir.resolve("backup_manifest"));
    assertThat(verify(Options.defaults()).findings())
        .extracting(Finding::message)
        .singleElement()
        .asString()
        .contains("backup_manifest\": No such file or directory");
    assertThat(
            BackupManifestVerifier.verify(
                    tmp.resolve("none"), Options.defaults().withManifest(tmp.resolve("m")))
                .findings())
        .extracting(Finding::kind)
        .containsExactly(Kind.MANIFEST);
  }

  @Test
  void aMissingDataDirectoryIsTheOneFinding() throws Exception {
    Path m = tmp.resolve("elsewhere");
    Files.move(dir.resolve("backup_manifest"), m);
    assertThat(
            BackupManifestVerifier.verify(tmp.resolve("none"), Options.defaults().withManifest(m))
                .findings())
        .containsExactly(
            new Finding(
                Kind.UNREADABLE,
                Optional.empty(),
                "could not open directory \""
                    + tmp.resolve("none")
                    + "\": No such file or directory"));
  }

  @Test
  void aManifestElsewhereCanBeNamed() throws Exception {
    Path m = tmp.resolve("elsewhere");
    Files.move(dir.resolve("backup_manifest"), m);
    assertThat(verify(Options.defaults().withManifest(m)).findings()).isEmpty();
  }

  @Test
  void optionsAreChecked() {
    assertThatThrownBy(() -> Options.defaults().ignoring("/etc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Options.defaults().ignoring("a/../b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Options.defaults().ignoring("./"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Options.defaults().emulating(14))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("15, 16, 17, 18");
    assertThat(Options.defaults().ignoring("a//b/", "./c").ignore()).containsExactly("a/b", "c");
  }

  private Report verify(Options o) {
    return BackupManifestVerifier.verify(dir, o);
  }

  private static Finding finding(Kind kind, String path, String message) {
    return new Finding(kind, Optional.of(path), message);
  }

  static void mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertThat(proc.waitFor()).isZero();
    assertThat(Files.isRegularFile(p)).isFalse();
  }
}
