package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.backup.pgmanifest.BackupManifestVerifier.Options;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Report;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corners of PostgreSQL's manifest parser, each tried on the real pg_verifybackup of 15 and 18
 * and on Klio's verifier emulating the same major: both must accept or both refuse, and as
 * expected. The data directory is a small fake one (with a {@code pg_control} that has the system
 * identifier 42 and a correct CRC for PostgreSQL 18), so no server is needed.
 */
class ManifestQuirksIT {

  @TempDir Path tmp;

  /**
   * One edit of the manifest Klio writes for the directory.
   *
   * @param ok15 whether pg_verifybackup 15 accepts the result (null: not tried on 15)
   * @param ok18 the same for 18
   * @param fixChecksum whether to recompute the manifest checksum after the edit
   */
  record Quirk(String name, Boolean ok15, Boolean ok18, boolean fixChecksum, Edit edit) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface Edit {
    byte[] apply(String manifest);
  }

  static Quirk q(String name, Boolean ok15, Boolean ok18, UnaryOperator<String> edit) {
    return new Quirk(name, ok15, ok18, true, m -> utf8(edit.apply(m)));
  }

  static Quirk raw(String name, Boolean ok15, Boolean ok18, UnaryOperator<String> edit) {
    return new Quirk(name, ok15, ok18, false, m -> utf8(edit.apply(m)));
  }

  static final String PGV = "{ \"Path\": \"PG_VERSION\", \"Size\": 3, ";

  static List<Quirk> quirks() {
    List<Quirk> q = new ArrayList<>();
    q.add(q("as written", true, true, m -> m));
    q.add(q("size as a JSON string", true, true, m -> m.replace(PGV, pgv("\"3\""))));
    q.add(
        q("size with leading blanks and plus", true, true, m -> m.replace(PGV, pgv("\" \\t+3\""))));
    q.add(
        q("size with a leading zero, in a string", true, true, m -> m.replace(PGV, pgv("\"03\""))));
    q.add(q("size with a trailing blank", false, false, m -> m.replace(PGV, pgv("\"3 \""))));
    q.add(q("size as 3.0", false, false, m -> m.replace(PGV, pgv("3.0"))));
    q.add(q("size as true", false, false, m -> m.replace(PGV, pgv("true"))));
    q.add(
        q(
            "size given twice, the last right",
            true,
            true,
            m -> m.replace(PGV, "{ \"Path\": \"PG_VERSION\", \"Size\": 9, \"Size\": 3, ")));
    q.add(
        q(
            "size given twice, the last wrong",
            false,
            false,
            m -> m.replace(PGV, "{ \"Path\": \"PG_VERSION\", \"Size\": 3, \"Size\": 9, ")));
    q.add(
        q("algorithm in lower case", true, true, m -> m.replaceFirst("\"CRC32C\"", "\"crc32c\"")));
    q.add(
        q("algorithm in mixed case", true, true, m -> m.replaceFirst("\"CRC32C\"", "\"Crc32C\"")));
    q.add(q("unknown algorithm", false, false, m -> m.replaceFirst("\"CRC32C\"", "\"MD5\"")));
    q.add(
        q(
            "algorithm NONE with a checksum",
            true,
            true,
            m -> m.replaceFirst("\"CRC32C\"", "\"NONE\"")));
    q.add(q("checksum in upper case", true, true, m -> upperFirstChecksum(m)));
    q.add(
        q(
            "empty checksum",
            false,
            false,
            m -> m.replaceFirst("\"Checksum\": \"[0-9a-f]*\"", "\"Checksum\": \"\"")));
    q.add(
        q(
            "odd-length checksum",
            false,
            false,
            m -> m.replaceFirst("\"Checksum\": \"[0-9a-f]", "\"Checksum\": \"")));
    q.add(
        q(
            "checksum without algorithm",
            false,
            false,
            m -> m.replaceFirst("\"Checksum-Algorithm\": \"CRC32C\", ", "")));
    q.add(q("escaped path", true, true, m -> m.replace("\"PG_VERSION\"", "\"PG\\u005fVERSION\"")));
    q.add(q("escaped slash", true, true, m -> m.replace("\"base/1/1259\"", "\"base\\/1\\/1259\"")));
    q.add(
        q(
            "encoded path",
            true,
            true,
            m ->
                m.replace(
                    "\"Path\": \"PG_VERSION\"", "\"Encoded-Path\": \"50475f56455253494f4e\"")));
    q.add(
        q(
            "encoded path in upper case with a NUL after it",
            true,
            true,
            m ->
                m.replace(
                    "\"Path\": \"PG_VERSION\"", "\"Encoded-Path\": \"50475F56455253494F4E0041\"")));
    q.add(
        q(
            "both path and encoded path",
            false,
            false,
            m ->
                m.replace(
                    "\"Path\": \"PG_VERSION\"",
                    "\"Path\": \"PG_VERSION\", \"Encoded-Path\": \"41\"")));
    q.add(
        q("path null", false, false, m -> m.replace("\"Path\": \"PG_VERSION\"", "\"Path\": null")));
    q.add(q("last-modified as a number", true, true, m -> lastModified(m, "\"Last-Modified\": 5")));
    q.add(q("last-modified null", true, true, m -> lastModified(m, "\"Last-Modified\": null")));
    q.add(
        q(
            "last-modified with escapes",
            true,
            true,
            m -> lastModified(m, "\"Last-Modified\": \"\\u00e9\\ud83d\\ude00\\n\"")));
    q.add(
        q(
            "last-modified with \\u0000",
            false,
            false,
            m -> lastModified(m, "\"Last-Modified\": \"\\u0000\"")));
    q.add(
        q(
            "last-modified with a lone surrogate",
            false,
            false,
            m -> lastModified(m, "\"Last-Modified\": \"\\ud800\"")));
    q.add(
        q(
            "last-modified with a raw tab",
            false,
            false,
            m -> lastModified(m, "\"Last-Modified\": \"\t\"")));
    q.add(
        q(
            "last-modified with an invalid escape",
            false,
            false,
            m -> lastModified(m, "\"Last-Modified\": \"\\x\"")));
    q.add(
        new Quirk(
            "last-modified with bytes that are not UTF-8",
            true,
            true,
            true,
            m -> latin1(lastModified(m, "\"Last-Modified\": \"\u00ff\u00fe\""))));
    q.add(q("unknown file key", false, false, m -> m.replace(PGV, PGV + "\"Mode\": 384, ")));
    q.add(
        q(
            "unknown top-level key",
            false,
            false,
            m -> m.replace("\"Files\": [", "\"Klio\": 1,\n\"Files\": [")));
    q.add(
        q(
            "unknown WAL range key",
            false,
            false,
            m -> m.replace("{ \"Timeline\": 1, ", "{ \"Timeline\": 1, \"X\": 1, ")));
    q.add(
        q(
            "a duplicated file entry",
            false,
            false,
            m ->
                m.replace(
                    PGV, PGV.replace("{ ", "{ \"Path\": \"PG_VERSION\", \"Size\": 3 },\n{ "))));
    q.add(
        q(
            "the files split into two arrays",
            true,
            true,
            m ->
                m.replaceFirst(
                    ",\n\\{ \"Path\": \"base/1/PG_VERSION\"",
                    "\n],\n\"Files\": [\n{ \"Path\": \"base/1/PG_VERSION\"")));
    q.add(
        q(
            "no files at all",
            false,
            false,
            m -> m.replaceAll("(?s)\"Files\": \\[.*?\n\\],\n", "\"Files\": [],\n")));
    q.add(
        q(
            "no WAL ranges",
            true,
            true,
            m -> m.replaceAll("(?s)\"WAL-Ranges\": \\[.*?\n\\],\n", "")));
    q.add(
        q(
            "empty WAL ranges",
            true,
            true,
            m -> m.replaceAll("(?s)\"WAL-Ranges\": \\[.*?\n\\],\n", "\"WAL-Ranges\": [],\n")));
    q.add(
        q(
            "WAL ranges before the files",
            true,
            true,
            m ->
                m.replaceAll(
                    "(?s)(\"Files\": \\[.*?\n\\],\n)(\"WAL-Ranges\": \\[.*?\n\\],\n)", "$2$1")));
    q.add(
        q(
            "WAL range values in other forms",
            true,
            true,
            m ->
                m.replace(
                    "\"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\"",
                    "\"End-LSN\": \" 0x0/0x2000100 and more\", \"Timeline\": \"1\", \"Start-LSN\": \"0/02000028\"")));
    q.add(q("WAL range without a timeline", false, false, m -> m.replace("\"Timeline\": 1, ", "")));
    q.add(
        q(
            "WAL range with a bad LSN",
            false,
            false,
            m -> m.replace("\"0/2000100\"", "\"0-2000100\"")));
    q.add(
        q(
            "CRLF and tabs between tokens",
            true,
            true,
            m -> m.replace(",\n", ",\r\n").replace(": ", ":\t")));
    q.add(raw("checksum in upper case", true, true, m -> upperLastLine(m)));
    q.add(raw("a changed checksum", false, false, m -> flipChecksumDigit(m)));
    q.add(
        raw("a key after the checksum", false, false, m -> m.replace("\"}\n", "\", \"X\": 1}\n")));
    q.add(raw("no final newline", false, false, m -> m.substring(0, m.length() - 1)));
    q.add(raw("an empty line at the end", false, false, m -> m + "\n"));
    q.add(raw("text after the object", false, false, m -> m + "x\n"));
    q.add(raw("all on one line", false, false, m -> m.replace("\n", " ") + "\n"));
    q.add(
        q("version as a string", true, null, m -> m.replace("Version\": 1,", "Version\": \"1\",")));
    q.add(
        q(
            "version with a leading blank",
            false,
            null,
            m -> m.replace("Version\": 1,", "Version\": \" 1\",")));
    q.add(q("version 1.0", false, null, m -> m.replace("Version\": 1,", "Version\": 1.0,")));
    q.add(q("version 2", false, null, m -> m.replace("Version\": 1,", "Version\": 2,")));
    q.add(
        q(
            "a system identifier in version 1",
            false,
            null,
            m -> m.replace("Version\": 1,\n", "Version\": 1,\n\"System-Identifier\": 42,\n")));
    q.add(
        q(
            "version 2 as a string with a blank",
            null,
            true,
            m -> m.replace("Version\": 2,", "Version\": \" 2\",")));
    q.add(q("version 3", null, false, m -> m.replace("Version\": 2,", "Version\": 3,")));
    q.add(
        q(
            "version 1 with a system identifier",
            null,
            true,
            m -> m.replace("Version\": 2,", "Version\": 1,")));
    q.add(
        q(
            "version 1 with a wrong system identifier",
            null,
            true,
            m ->
                m.replace("Version\": 2,", "Version\": 1,")
                    .replace("\"System-Identifier\": 42", "\"System-Identifier\": 43")));
    q.add(
        q(
            "system identifier as a string",
            null,
            true,
            m -> m.replace("\"System-Identifier\": 42", "\"System-Identifier\": \"42\"")));
    q.add(
        q(
            "a wrong system identifier",
            null,
            false,
            m -> m.replace("\"System-Identifier\": 42", "\"System-Identifier\": 43")));
    q.add(
        q(
            "no system identifier in version 2",
            null,
            false,
            m -> m.replace("\"System-Identifier\": 42,\n", "")));
    q.add(
        q(
            "system identifier after the files",
            null,
            true,
            m ->
                m.replace("\"System-Identifier\": 42,\n", "")
                    .replace("\"WAL-Ranges\"", "\"System-Identifier\": 42,\n\"WAL-Ranges\"")));
    return q;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Quirk q : quirks()) {
      if (q.ok15() != null) {
        out.add(Arguments.of(15, q));
      }
      if (q.ok18() != null) {
        out.add(Arguments.of(18, q));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "PostgreSQL {0}: {1}")
  @MethodSource("cases")
  void realAndKlioVerifiersAgree(int major, Quirk quirk) throws Exception {
    Path dir = tmp.resolve("data");
    DataDirs.populate(dir);
    DataDirs.writeManifest(dir, major >= 17 ? 2 : 1, ChecksumAlgorithm.CRC32C);
    String written = Files.readString(dir.resolve("backup_manifest"));
    byte[] edited = quirk.edit().apply(written);
    if (quirk.fixChecksum()) {
      edited = ManifestBytes.withChecksum(edited);
    }
    if (!quirk.name().equals("as written")) {
      assertThat(edited).as("the edit changes the manifest").isNotEqualTo(utf8(written));
    }
    Files.write(dir.resolve("backup_manifest"), edited);

    PgTools.Result real = PgTools.verifyBackup(major, dir, List.of());
    Report klio = BackupManifestVerifier.verify(dir, Options.defaults().emulating(major));
    boolean expected = major == 15 ? quirk.ok15() : quirk.ok18();
    String context =
        "manifest:\n"
            + new String(edited, StandardCharsets.UTF_8)
            + "\npg_verifybackup "
            + major
            + ": "
            + real.output()
            + "\nKlio: "
            + klio.findings();
    assertThat(real.ok()).as("pg_verifybackup %d accepts; %s", major, context).isEqualTo(expected);
    assertThat(klio.ok()).as("Klio accepts; %s", context).isEqualTo(expected);
  }

  static Stream<Arguments> controlFiles() {
    return Stream.of(
        Arguments.of("18's layout, CRC at 292", DataDirs.controlFile(42, 1800, 292), true),
        Arguments.of("18's version, CRC at 288", DataDirs.controlFile(42, 1800, 288), false),
        Arguments.of("17's layout, CRC at 288", DataDirs.controlFile(42, 1700, 288), false),
        Arguments.of("another system identifier", DataDirs.controlFile(43, 1800, 292), false),
        Arguments.of("a file of 8 bytes", new byte[8], false));
  }

  /** pg_verifybackup 18 checks pg_control for a version 2 manifest; Klio must agree. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("controlFiles")
  void controlFileChecksAgreeWith18(String name, byte[] control, boolean expected)
      throws Exception {
    Path dir = tmp.resolve("data");
    DataDirs.populate(dir);
    Files.write(dir.resolve("global/pg_control"), control);
    DataDirs.writeManifest(dir, 2, ChecksumAlgorithm.CRC32C);
    PgTools.Result real = PgTools.verifyBackup(18, dir, List.of());
    Report klio = BackupManifestVerifier.verify(dir, Options.defaults().emulating(18));
    assertThat(real.ok()).as(real.output()).isEqualTo(expected);
    assertThat(klio.ok()).as(klio.findings().toString()).isEqualTo(expected);
    assertThat(BackupManifestVerifier.verify(dir, Options.defaults()).ok())
        .as("without emulation, a known layout that matches is accepted")
        .isEqualTo(expected || name.startsWith("17"));
  }

  /**
   * File names that need escaping, and one that is not UTF-8 (written as {@code Encoded-Path}): the
   * real pg_verifybackup must find every one of them, and so must Klio.
   */
  @ParameterizedTest(name = "PostgreSQL {0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {15, 18})
  void oddFileNamesAreWrittenSoThatTheRealVerifierFindsThem(int major) throws Exception {
    Path dir = tmp.resolve("data");
    DataDirs.populate(dir);
    Path odd = Files.createDirectories(dir.resolve("odd"));
    for (String name :
        List.of(
            "a \"quoted\" \\ name",
            "tab\there",
            "new\nline",
            "ctl\u0001\u001fx",
            "slash-less\u007f",
            "\u00fcmlaut \u00e9",
            "\ud83d\ude00")) {
      Files.writeString(odd.resolve(name), name);
    }
    // a name that is not UTF-8: Java cannot spell it, the shell can
    PgTools.sh("sh", "-c", "printf 'latin1' > \"$1/$(printf 'caf\\351')\"", "sh", odd.toString());
    byte[] rawName = {'o', 'd', 'd', '/', 'c', 'a', 'f', (byte) 0xe9};
    try (java.io.OutputStream out = Files.newOutputStream(dir.resolve("backup_manifest"))) {
      BackupManifestWriter w =
          BackupManifestWriter.forMajor(major, new io.klio.api.SystemIdentifier(42), out);
      for (String rel : DataDirs.files(dir)) {
        if (!rel.contains("\uFFFD")) {
          Path p = dir.resolve(rel);
          w.addFile(
              rel,
              Files.size(p),
              Files.getLastModifiedTime(p).toInstant(),
              ChecksumCalculator.of(p, ChecksumAlgorithm.SHA256));
        }
      }
      ChecksumCalculator c = ChecksumCalculator.start(ChecksumAlgorithm.SHA256);
      c.update("latin1".getBytes(StandardCharsets.US_ASCII));
      w.addFile(rawName, c.bytes(), java.time.Instant.EPOCH, c.finish());
      w.finish(DataDirs.RANGE);
    }
    String manifest = Files.readString(dir.resolve("backup_manifest"));
    assertThat(manifest)
        .contains("\"Encoded-Path\": \"6f64642f636166e9\"")
        .contains("\"Path\": \"odd/a \\\"quoted\\\" \\\\ name\"")
        .contains("\"Path\": \"odd/ctl\\u0001\\u001fx\"")
        .contains("\"Path\": \"odd/new\\nline\"");
    PgTools.Result real = PgTools.verifyBackup(major, dir, List.of());
    assertThat(real.ok()).as(real.output()).isTrue();
    assertThat(real.output()).contains("backup successfully verified");
    Report klio = BackupManifestVerifier.verify(dir, Options.defaults().emulating(major));
    assertThat(klio.findings()).isEmpty();
    assertThat(klio.checksummedFiles()).isEqualTo(13);
    // and a changed byte in the file with the raw name is found by both
    PgTools.sh("sh", "-c", "printf 'LATIN1' > \"$1/$(printf 'caf\\351')\"", "sh", odd.toString());
    assertThat(PgTools.verifyBackup(major, dir, List.of()).ok()).isFalse();
    assertThat(BackupManifestVerifier.verify(dir, Options.defaults().emulating(major)).findings())
        .extracting(BackupManifestVerifier.Finding::kind)
        .containsExactly(BackupManifestVerifier.Kind.CHECKSUM_MISMATCH);
  }

  /** The first {@code "Last-Modified": "..."} replaced by {@code json}, taken literally. */
  private static String lastModified(String m, String json) {
    java.util.regex.Matcher x =
        java.util.regex.Pattern.compile("\"Last-Modified\": \"[^\"]*\"").matcher(m);
    x.find();
    return m.substring(0, x.start()) + json + m.substring(x.end());
  }

  private static String pgv(String size) {
    return "{ \"Path\": \"PG_VERSION\", \"Size\": " + size + ", ";
  }

  private static String upperFirstChecksum(String m) {
    java.util.regex.Matcher x =
        java.util.regex.Pattern.compile("\"Checksum\": \"([0-9a-f]+)\"").matcher(m);
    x.find();
    return m.substring(0, x.start(1))
        + x.group(1).toUpperCase(java.util.Locale.ROOT)
        + m.substring(x.end(1));
  }

  private static String upperLastLine(String m) {
    int last = m.lastIndexOf('\n', m.length() - 2) + 1;
    return m.substring(0, last)
        + m.substring(last)
            .replaceAll("\"([0-9a-f]{64})\"", "\"$1\"")
            .toUpperCase(java.util.Locale.ROOT)
            .replace("\"MANIFEST-CHECKSUM\"", "\"Manifest-Checksum\"");
  }

  private static String flipChecksumDigit(String m) {
    int i = m.lastIndexOf("\"}\n") - 1;
    char c = m.charAt(i) == '0' ? '1' : '0';
    return m.substring(0, i) + c + m.substring(i + 1);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The text as bytes, one byte per char: for inserting bytes that are not UTF-8. */
  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
