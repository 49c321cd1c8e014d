package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineHistory;
import io.klio.api.TimelineId;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Options;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Report;
import io.klio.backup.pgmanifest.ManifestParser.Dialect;
import io.klio.backup.pgmanifest.ParsedManifest.ManifestEntry;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real backups of real servers taken by the real pg_basebackup, checked three ways: (a) Klio's
 * verifier accepts pg_basebackup's manifest and directory; (b) Klio's writer, fed the directory's
 * files, writes a manifest equal to the server's byte for byte (given the server's times) and, from
 * a walk of the directory with every algorithm, one the real pg_verifybackup accepts; (c) on a
 * corpus of tampered copies, Klio's verifier and the real pg_verifybackup agree on accept or
 * refuse.
 *
 * <p>For PostgreSQL 16 and 17 no pg_verifybackup of the same major exists on the build machines:
 * their servers are backed up with pg_basebackup 18 and only Klio's checks run.
 */
class PgBaseBackupIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  private final List<Path> outside = new ArrayList<>();

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  @AfterEach
  void removeOutsideDirectories() {
    for (Path p : outside) {
      PgTools.sh("rm", "-rf", p.toString());
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @MethodSource("versions")
  void klioAgreesWithPgBasebackupAndPgVerifybackup(int major) throws Exception {
    Optional<Path> tools = PgTools.binDir(major);
    PostgresServer server = pg.start(PostgresConfig.of(major));
    Path tablespace = postgresOwnedDirectory("ts");
    server.sql("CREATE TABLESPACE ts LOCATION '" + tablespace + "'");
    server.sql(
        "CREATE TABLE t AS SELECT g, md5(g::text) AS h FROM generate_series(1, 50000) g;"
            + " CREATE INDEX ON t (g);"
            + " CREATE TABLE u TABLESPACE ts AS SELECT g FROM generate_series(1, 20000) g;"
            + " CREATE UNLOGGED TABLE ul AS SELECT g FROM generate_series(1, 1000) g;"
            + " CREATE TABLE empty (x int);"
            + " CHECKPOINT;");
    Path backup = tmp.resolve("backup");
    Path tablespaceCopy = tmp.resolve("ts-copy");
    PgTools.baseBackup(server, backup, "-T", tablespace + "=" + tablespaceCopy);
    byte[] pgManifest = Files.readAllBytes(backup.resolve("backup_manifest"));
    ParsedManifest parsed = ManifestBytes.parse(pgManifest, Dialect.V1_OR_V2);
    assertThat(parsed.version()).isEqualTo(major >= 17 ? 2 : 1);
    assertThat(parsed.files().keySet())
        .anyMatch(p -> p.startsWith("pg_tblspc/"))
        .contains("postgresql.auto.conf");
    assertThat(
            Files.isSymbolicLink(
                backup.resolve(tablespaceFile(parsed)).getParent().getParent().getParent()))
        .as("the tablespace is reached through the pg_tblspc/<oid> link")
        .isTrue();

    // (a) pg_basebackup's manifest and directory
    for (Options o : List.of(Options.defaults(), Options.defaults().emulating(major))) {
      Report r = BackupManifestVerifier.verify(backup, o);
      assertThat(r.findings()).as(o.toString()).isEmpty();
      // every file but postgresql.auto.conf, which the manifest lists and the verifiers ignore
      assertThat(r.checksummedFiles()).isEqualTo(parsed.files().size() - 1);
    }
    tools.ifPresent(t -> assertThat(PgTools.verifyBackup(major, backup, List.of()).ok()).isTrue());

    // (b) Klio's writer: the server's manifest byte for byte, given the server's times and order
    assertThat(new String(rewrite(parsed, backup), StandardCharsets.UTF_8))
        .isEqualTo(new String(pgManifest, StandardCharsets.UTF_8));
    // the WAL range, from backup_label as Klio's backup will compute it
    assertThat(List.of(walRangeFromLabel(backup, parsed)))
        .isEqualTo(parsed.walRanges().stream().map(r -> r.toWalRange()).toList());
    // ... and from a walk of the directory, with the files' own times, in every algorithm
    for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
      Path ours = tmp.resolve("manifest-" + a);
      writeFromWalk(backup, ours, major, parsed, a);
      ParsedManifest oursParsed = ManifestBytes.parse(Files.readAllBytes(ours), Dialect.V1_OR_V2);
      assertThat(oursParsed.files().keySet()).isEqualTo(parsed.files().keySet());
      if (a == ChecksumAlgorithm.CRC32C) {
        assertThat(entries(oursParsed)).isEqualTo(entries(parsed));
      }
      assertThat(
              BackupManifestVerifier.verify(backup, Options.defaults().withManifest(ours))
                  .findings())
          .as(a.name())
          .isEmpty();
      if (tools.isPresent()) {
        PgTools.Result real = PgTools.verifyBackup(major, backup, List.of("-m", ours.toString()));
        assertThat(real.ok()).as(a + ": " + real.output()).isTrue();
      }
    }

    // (c) tampered copies
    if (tools.isPresent()) {
      for (Tamper t : corpus(major, parsed)) {
        Path copy = tmp.resolve("copy");
        PgTools.sh("rm", "-rf", copy.toString());
        PgTools.sh(
            "cp", "-R", "-L", "--preserve=mode,timestamps", backup.toString(), copy.toString());
        t.edit().apply(copy);
        PgTools.Result real = PgTools.verifyBackup(major, copy, t.args());
        Report klio = BackupManifestVerifier.verify(copy, options(t.args()).emulating(major));
        assertThat(real.ok())
            .as("pg_verifybackup, %s: %s", t.name(), real.output())
            .isEqualTo(t.ok());
        assertThat(klio.ok()).as("Klio, %s: %s", t.name(), klio.findings()).isEqualTo(t.ok());
      }
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @MethodSource("versions")
  void aBackupOfAPromotedStandbyOnTimeline2(int major) throws Exception {
    PostgresServer primary = pg.start(PostgresConfig.of(major));
    primary.sql("CREATE TABLE a AS SELECT generate_series(1, 1000) g");
    PostgresServer standby = pg.adopt(primary.createStandby());
    standby.promote();
    standby.sql("CREATE TABLE b AS SELECT generate_series(1, 1000) g; CHECKPOINT");
    Path backup = tmp.resolve("backup");
    PgTools.baseBackup(standby, backup);
    ParsedManifest parsed =
        ManifestBytes.parse(
            Files.readAllBytes(backup.resolve("backup_manifest")), Dialect.V1_OR_V2);

    TimelineId two = TimelineId.of(2);
    TimelineHistory history =
        TimelineHistory.parse(
            two, Files.readAllBytes(standby.dataDirectory().resolve("pg_wal/00000002.history")));
    assertThat(history.ancestors())
        .singleElement()
        .satisfies(e -> assertThat(e.timeline()).isEqualTo(TimelineId.FIRST));
    WalRange pgRange = parsed.walRanges().get(0).toWalRange();
    assertThat(parsed.walRanges()).hasSize(1);
    Map<String, String> label = backupLabel(backup);
    assertThat(label.get("START TIMELINE")).isEqualTo("2");
    assertThat(WalRanges.compute(two, startLsn(label), two, pgRange.end(), history))
        .containsExactly(pgRange);
    assertThat(history.ancestors().get(0).switchPoint()).isLessThanOrEqualTo(pgRange.start());

    assertThat(
            BackupManifestVerifier.verify(backup, Options.defaults().emulating(major)).findings())
        .isEmpty();
    if (PgTools.binDir(major).isPresent()) {
      assertThat(PgTools.verifyBackup(major, backup, List.of()).ok()).isTrue();
    }
  }

  /** One tampered copy: what to do to it, the pg_verifybackup options, and the verdict. */
  record Tamper(String name, boolean ok, List<String> args, Edit edit) {}

  interface Edit {
    void apply(Path dir) throws Exception;
  }

  private static Tamper t(String name, boolean ok, Edit edit, String... args) {
    return new Tamper(name, ok, List.of(args), edit);
  }

  private static List<Tamper> corpus(int major, ParsedManifest m) {
    String relation = largest(m, "base/");
    String tsFile = tablespaceFile(m);
    List<Tamper> c = new ArrayList<>();
    c.add(t("the copy as it is", true, d -> {}));
    c.add(t("a changed byte", false, d -> flipByte(d.resolve(relation), 100)));
    c.add(t("a changed byte in the tablespace", false, d -> flipByte(d.resolve(tsFile), 10)));
    c.add(
        t(
            "a changed byte, checksums skipped",
            true,
            d -> flipByte(d.resolve(relation), 100),
            "-s"));
    c.add(t("a truncated file", false, d -> truncate(d.resolve(relation))));
    c.add(
        t("a truncated file, checksums skipped", false, d -> truncate(d.resolve(relation)), "-s"));
    c.add(t("an extra file", false, d -> Files.writeString(d.resolve("extra"), "x")));
    c.add(
        t(
            "an extra file deep down",
            false,
            d -> Files.writeString(d.resolve("base/1/extra"), "x")));
    c.add(
        t(
            "an extra file, ignored",
            true,
            d -> Files.writeString(d.resolve("extra"), "x"),
            "-i",
            "extra"));
    c.add(
        t(
            "an extra file under pg_wal",
            true,
            d -> Files.writeString(d.resolve("pg_wal/000000010000000000000001"), "wal")));
    c.add(
        t(
            "the files pg_verifybackup always ignores",
            true,
            d -> {
              Files.writeString(d.resolve("postgresql.auto.conf"), "restore_command = 'x'\n");
              Files.writeString(d.resolve("recovery.signal"), "");
              Files.writeString(d.resolve("standby.signal"), "");
            }));
    c.add(t("an extra empty directory", true, d -> Files.createDirectory(d.resolve("base/empty"))));
    c.add(t("a missing file", false, d -> Files.delete(d.resolve("base/1/PG_VERSION"))));
    c.add(
        t(
            "a missing file, its directory ignored",
            true,
            d -> Files.delete(d.resolve("base/1/PG_VERSION")),
            "-i",
            "base/1"));
    c.add(
        t(
            "a missing tablespace",
            false,
            d ->
                PgTools.sh(
                    "rm",
                    "-rf",
                    d.resolve(tsFile).getParent().getParent().getParent().toString())));
    c.add(t("a FIFO", false, d -> PgTools.sh("mkfifo", d.resolve("base/fifo").toString())));
    c.add(
        t(
            "a symbolic link to a file",
            false,
            d -> Files.createSymbolicLink(d.resolve("link"), d.resolve("PG_VERSION"))));
    c.add(
        t(
            "a dangling symbolic link",
            false,
            d -> Files.createSymbolicLink(d.resolve("dangling"), d.resolve("nowhere"))));
    c.add(
        t(
            "a changed manifest checksum",
            false,
            d ->
                editRaw(
                    d,
                    s -> {
                      int i = s.lastIndexOf("\"}\n") - 1;
                      return s.substring(0, i)
                          + (s.charAt(i) == '0' ? '1' : '0')
                          + s.substring(i + 1);
                    })));
    c.add(
        t(
            "a duplicated entry",
            false,
            d ->
                edit(
                    d,
                    s -> {
                      String line = lineOf(s, "\"PG_VERSION\"");
                      return s.replace(line, line + "\n" + line);
                    })));
    c.add(
        t(
            "an unknown key in an entry",
            false,
            d ->
                edit(
                    d,
                    s ->
                        s.replace(
                            "{ \"Path\": \"PG_VERSION\", ",
                            "{ \"Path\": \"PG_VERSION\", \"Mode\": 384, "))));
    c.add(
        t(
            "an unknown top-level key",
            false,
            d -> edit(d, s -> s.replace("\"Files\": [", "\"Klio-Chunks\": [],\n\"Files\": ["))));
    c.add(
        t(
            "a wrong size in the manifest",
            false,
            d ->
                edit(
                    d,
                    s ->
                        s.replace(
                            "{ \"Path\": \"PG_VERSION\", \"Size\": 3,",
                            "{ \"Path\": \"PG_VERSION\", \"Size\": 4,"))));
    c.add(
        t(
            "algorithm NONE for a changed file",
            true,
            d -> {
              flipByte(d.resolve("PG_VERSION"), 0);
              edit(
                  d,
                  s ->
                      s.replace(
                          lineOf(s, "\"PG_VERSION\""),
                          lineOf(s, "\"PG_VERSION\"").replace("\"CRC32C\"", "\"NONE\"")));
            }));
    c.add(
        t(
            "the size of an empty file as \"\"",
            true,
            d ->
                edit(
                    d,
                    s -> {
                      String line = lineOf(s, "\"Size\": 0,");
                      return s.replace(line, line.replace("\"Size\": 0,", "\"Size\": \"\","));
                    })));
    if (major >= 17) {
      c.add(
          t(
              "version 1 instead of 2",
              true,
              d -> edit(d, s -> s.replace("Version\": 2,", "Version\": 1,"))));
      c.add(
          t(
              "another system identifier",
              false,
              d ->
                  edit(
                      d,
                      s ->
                          s.replaceFirst(
                              "\"System-Identifier\": (\\d+)", "\"System-Identifier\": 1"))));
      c.add(
          t(
              "a damaged pg_control with its manifest checksum updated",
              false,
              d -> {
                flipByte(d.resolve("global/pg_control"), 100);
                String crc =
                    ChecksumCalculator.of(d.resolve("global/pg_control"), ChecksumAlgorithm.CRC32C)
                        .hex();
                edit(
                    d,
                    s -> {
                      String line = lineOf(s, "\"global/pg_control\"");
                      return s.replace(
                          line,
                          line.replaceAll(
                              "\"Checksum\": \"[0-9a-f]+\"", "\"Checksum\": \"" + crc + "\""));
                    });
              }));
    } else {
      c.add(
          t(
              "version 2 with the system identifier",
              false,
              d ->
                  edit(
                      d,
                      s ->
                          s.replace(
                              "Version\": 1,\n", "Version\": 2,\n\"System-Identifier\": 1,\n"))));
    }
    return c;
  }

  // ---- helpers ----

  /** Rewrites a parsed manifest with Klio's writer from the files of {@code dir}. */
  private static byte[] rewrite(ParsedManifest m, Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupManifestWriter w = writer(m, out);
    DateTimeFormatter f = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'GMT'");
    for (ManifestEntry e : m.files().values()) {
      Path p = dir.resolve(e.path());
      w.addFile(
          e.path(),
          Files.size(p),
          LocalDateTime.parse(e.lastModified(), f).toInstant(ZoneOffset.UTC),
          ChecksumCalculator.of(p, e.algorithm()));
    }
    w.finish(m.walRanges().stream().map(r -> r.toWalRange()).toList());
    return out.toByteArray();
  }

  private static void writeFromWalk(
      Path dir, Path target, int major, ParsedManifest m, ChecksumAlgorithm a) throws Exception {
    try (OutputStream out = Files.newOutputStream(target)) {
      BackupManifestWriter w =
          BackupManifestWriter.forMajor(
              major, new SystemIdentifier(m.systemIdentifier().orElse(0)), out);
      // what pg_basebackup wrote, as its manifest lists it (postgresql.auto.conf too)
      for (String rel : DataDirs.files(dir, List.of("backup_manifest", "pg_wal"))) {
        Path p = dir.resolve(rel);
        ChecksumCalculator c = ChecksumCalculator.start(a);
        c.update(Files.readAllBytes(p));
        w.addFile(rel, c.bytes(), Files.getLastModifiedTime(p).toInstant(), c.finish());
      }
      w.finish(List.of(walRangeFromLabel(dir, m)));
    }
  }

  private static BackupManifestWriter writer(ParsedManifest m, OutputStream out) throws Exception {
    return m.version() == 2
        ? BackupManifestWriter.version2(
            out, new SystemIdentifier(m.systemIdentifier().orElseThrow()))
        : BackupManifestWriter.version1(out);
  }

  /** The range from backup_label's start to the manifest's end (pg_backup_stop's LSN). */
  private static WalRange walRangeFromLabel(Path dir, ParsedManifest m) throws Exception {
    Map<String, String> label = backupLabel(dir);
    TimelineId tli = TimelineId.parse(label.get("START TIMELINE"));
    Lsn end = Lsn.of(m.walRanges().get(0).end());
    List<WalRange> r =
        WalRanges.compute(tli, startLsn(label), tli, end, new TimelineHistory(tli, List.of()));
    assertThat(r).hasSize(1);
    return r.get(0);
  }

  private static Map<String, String> backupLabel(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (String line : Files.readAllLines(dir.resolve("backup_label"))) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        out.put(line.substring(0, colon), line.substring(colon + 2));
      }
    }
    return out;
  }

  /** {@code START WAL LOCATION: 0/2000028 (file 000000010000000000000002)}. */
  private static Lsn startLsn(Map<String, String> label) {
    return Lsn.parse(label.get("START WAL LOCATION").split(" ")[0]);
  }

  private static Map<String, String> entries(ParsedManifest m) {
    return m.files().values().stream()
        .collect(
            Collectors.toMap(
                ManifestEntry::path,
                e -> e.size() + " " + e.algorithm() + " " + Hex.encode(e.checksum())));
  }

  private static String largest(ParsedManifest m, String prefix) {
    return m.files().values().stream()
        .filter(e -> e.path().startsWith(prefix))
        .max(java.util.Comparator.comparingLong(ManifestEntry::size))
        .orElseThrow()
        .path();
  }

  /** A file of the tablespace with some content: {@code pg_tblspc/<oid>/PG_*\/<db>/<file>}. */
  private static String tablespaceFile(ParsedManifest m) {
    return m.files().values().stream()
        .filter(e -> e.path().startsWith("pg_tblspc/") && e.size() > 0)
        .findFirst()
        .orElseThrow()
        .path();
  }

  private static String lineOf(String manifest, String containing) {
    for (String line : manifest.split("\n")) {
      if (line.contains(containing)) {
        return line;
      }
    }
    throw new AssertionError("no line with " + containing);
  }

  /** Edits the manifest and fixes its checksum, so the edit is the only thing wrong. */
  private static void edit(Path dir, java.util.function.UnaryOperator<String> e) throws Exception {
    Path m = dir.resolve("backup_manifest");
    String before = Files.readString(m);
    String after = e.apply(before);
    assertThat(after).as("the edit changes the manifest").isNotEqualTo(before);
    Files.writeString(m, ManifestBytes.withChecksum(after));
  }

  private static void editRaw(Path dir, java.util.function.UnaryOperator<String> e)
      throws Exception {
    Path m = dir.resolve("backup_manifest");
    Files.writeString(m, e.apply(Files.readString(m)));
  }

  private static void flipByte(Path file, int offset) throws Exception {
    byte[] b = Files.readAllBytes(file);
    b[offset] ^= 0x55;
    Files.write(file, b);
  }

  private static void truncate(Path file) throws Exception {
    byte[] b = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(b, b.length - 8192));
  }

  private static Options options(List<String> args) {
    Options o = Options.defaults();
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "-s" -> o = o.skippingChecksums();
        case "-i" -> o = o.ignoring(args.get(++i));
        default -> throw new AssertionError("no such option in the corpus: " + args.get(i));
      }
    }
    return o;
  }

  /** A directory outside the test's (root-only) temp dir that the postgres OS user owns. */
  private Path postgresOwnedDirectory(String name) throws Exception {
    Path base = Files.createTempDirectory(Path.of("/tmp"), "klio-backup-" + name + "-");
    outside.add(base);
    Path dir = base.resolve(name);
    Files.createDirectory(dir);
    PgTools.sh("chmod", "755", base.toString());
    if ("root".equals(System.getProperty("user.name"))) {
      PgTools.sh("chown", "-R", "postgres:postgres", base.toString());
    }
    return dir;
  }
}
