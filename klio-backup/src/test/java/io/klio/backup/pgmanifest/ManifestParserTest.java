package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.backup.pgmanifest.ManifestParser.Dialect;
import io.klio.backup.pgmanifest.ParsedManifest.ManifestEntry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parser against the cases of PostgreSQL's {@code t/005_bad_manifest.pl} and the corners of its
 * lexer and conversions.
 */
class ManifestParserTest {

  private static final String V = "{\"PostgreSQL-Backup-Manifest-Version\": 1, ";

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "`{`| The input string ended unexpectedly.",
        "`{}`| unexpected object end",
        "`[]`| unexpected array start",
        "`{\"not-expected\": 1}`| expected version indicator",
        "`{\"PostgreSQL-Backup-Manifest-Version\": 9876599}`| unexpected manifest version",
        "`" + V + "\"Files\": true}`| unexpected scalar",
        "`" + V + "\"Oops\": 1}`| unrecognized top-level field",
        "`" + V + "\"PostgreSQL-Backup-Manifest-Version\": 1}`| unrecognized top-level field",
        "`" + V + "\"Files\": [{\"Oops\": 1}]}`| unexpected file field",
        "`" + V + "\"Files\": [{\"Path\": []}]}`| unexpected array start",
        "`" + V + "\"Files\": [{\"Path\": {}}]}`| unexpected object start",
        "`" + V + "\"Files\": [[]]}`| unexpected array start",
        "`" + V + "\"Files\": [1]}`| unexpected scalar",
        "`" + V + "\"Files\": [{\"Size\": 1}]}`| missing path name",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"x\", \"Encoded-Path\": \"78\", \"Size\": 1}]}`"
            + "| both path name and encoded path name",
        "`" + V + "\"Files\": [{\"Path\": \"x\"}]}`| missing size",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"x\", \"Size\": 1, \"Checksum\": \"00\"}]}`"
            + "| checksum without algorithm",
        "`"
            + V
            + "\"Files\": [{\"Encoded-Path\": \"1\", \"Size\": 1}]}`| could not decode file name",
        "`"
            + V
            + "\"Files\": [{\"Encoded-Path\": \"zz\", \"Size\": 1}]}`"
            + "| could not decode file name",
        "`" + V + "\"Files\": [{\"Path\": \"x\", \"Size\": \"y\"}]}`| file size is not an integer",
        "`" + V + "\"Files\": [{\"Path\": \"x\", \"Size\": 1.5}]}`| file size is not an integer",
        "`" + V + "\"Files\": [{\"Path\": \"x\", \"Size\": \"1 \"}]}`| file size is not an integer",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"x\", \"Size\": 1, \"Checksum-Algorithm\": \"XOR\"}]}`"
            + "| unrecognized checksum algorithm: \"XOR\"",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"x\", \"Size\": 1, \"Checksum-Algorithm\": \"SHA256\","
            + " \"Checksum\": \"a\"}]}`| invalid checksum for file \"x\": \"a\"",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"x\", \"Size\": 1}, {\"Path\": \"x\", \"Size\": 2}]}`"
            + "| duplicate path name in backup manifest: \"x\"",
        "`" + V + "\"WAL-Ranges\": [{\"Oops\": 1}]}`| unexpected WAL range field",
        "`"
            + V
            + "\"WAL-Ranges\": [{\"Start-LSN\": \"0/0\", \"End-LSN\": \"0/0\"}]}`"
            + "| missing timeline",
        "`" + V + "\"WAL-Ranges\": [{\"Timeline\": 1, \"End-LSN\": \"0/0\"}]}`| missing start LSN",
        "`" + V + "\"WAL-Ranges\": [{\"Timeline\": 1, \"Start-LSN\": \"0/0\"}]}`| missing end LSN",
        "`"
            + V
            + "\"WAL-Ranges\": [{\"Timeline\": \"flapjack\", \"Start-LSN\": \"0/0\","
            + " \"End-LSN\": \"0/0\"}]}`| timeline is not an integer",
        "`"
            + V
            + "\"WAL-Ranges\": [{\"Timeline\": 1, \"Start-LSN\": \"oops\","
            + " \"End-LSN\": \"0/0\"}]}`| could not parse start LSN",
        "`"
            + V
            + "\"WAL-Ranges\": [{\"Timeline\": 1, \"Start-LSN\": \"0/0\","
            + " \"End-LSN\": \"0x/\"}]}`| could not parse end LSN",
        "`" + V + "\"Manifest-Checksum\": \"x\", \"Files\": []}`| unexpected object field",
        "`" + V + "\"Files\": []}`| unexpected object end",
        "`" + V + "\"Files\": [], \"Manifest-Checksum\": \"x\"}`| expected at least 2 lines",
        "`"
            + V
            + "\"Files\": [],\n\"Manifest-Checksum\": \"x\"}\n`| invalid manifest checksum: \"x\"",
        "`" + V + "\"Files\": [],\n\"Manifest-Checksum\": \"x\"}`| expected at least 2 lines",
        "`"
            + V
            + "\"Files\": [],\n\"Manifest-Checksum\": \"x\"}\n `"
            + "| last line not newline-terminated",
        "`" + V + "\"Files\": [],\n\"Manifest-Checksum\": \"x\"} x`| Token \"x\" is invalid.",
        "`"
            + V
            + "\"Files\": [],\n\"Manifest-Checksum\": \"x\"} {}`"
            + "| Expected end of input, but found \"{\".",
        "`" + V + "\"Files\": [,]}`| Expected JSON value, but found \",\".",
        "`" + V + "\"Files\": [{\"Path\": \"x\",}]}`| Expected string, but found \"}\".",
        "`" + V + "\"Files\" []}`| Expected \":\", but found \"[\".",
        "`" + V + "\"Files\": [] \"x\": 1}`| Expected \",\" or \"}\", but found \"\"x\"\".",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"x\", \"Size\": 1} {}]}`"
            + "| Expected \",\" or \"]\", but found \"{\".",
        "`" + V + "\"Files\": tru}`| Token \"tru\" is invalid.",
        "`" + V + "\"Files\": 01}`| Token \"01\" is invalid.",
        "`" + V + "\"Files\": -}`| Token \"-\" is invalid.",
        "`" + V + "\"Files\": 1e}`| Token \"1e\" is invalid.",
        "`" + V + "\"Files\": 12abc}`| Token \"12abc\" is invalid.",
        "`" + V + "\"Files\": #}`| Token \"#\" is invalid.",
        "`" + V + "\"Files\": [{\"Path\": \"a\\x\"}]}`| Escape sequence \"\\x\" is invalid.",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"a\\u00\"}]}`"
            + "| \"\\u\" must be followed by four hexadecimal digits.",
        "`" + V + "\"Files\": [{\"Path\": \"a\\u0000\"}]}`| \\u0000 cannot be converted to text.",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"a\\udc00\"}]}`"
            + "| Unicode low surrogate must follow a high surrogate.",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"a\\ud800x\"}]}`"
            + "| Unicode low surrogate must follow a high surrogate.",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"a\\ud800\\ud800\"}]}`"
            + "| Unicode high surrogate must not follow a high surrogate.",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"a\\ud800\"}]}`"
            + "| Unicode low surrogate must follow a high surrogate.",
        "`" + V + "\"Files\": [{\"Path\": \"a\tb\"}]}`| Character with value 0x09 must be escaped.",
        "`" + V + "\"Files\": [{\"Path\": \"a`| Token \"a\" is invalid.",
        "`" + V + "\"Files\": [{\"Path\": \"a\\`| Token \"a\" is invalid.",
        "`"
            + V
            + "\"Files\": [{\"Path\": \"x\", \"Size\": 1}`"
            + "| The input string ended unexpectedly.",
        "``| The input string ended unexpectedly.",
      })
  void refusesWhatPostgresRefuses(String manifest, String message) {
    for (Dialect d : Dialect.values()) {
      assertThatThrownBy(() -> ManifestBytes.parse(manifest, d))
          .as(d + ": " + manifest)
          .isInstanceOf(ManifestParseException.class)
          .hasMessageContaining(message);
    }
  }

  @Test
  void versionsByDialect() {
    String v2 =
        "{\"PostgreSQL-Backup-Manifest-Version\": 2,\n\"System-Identifier\": 12,\n"
            + "\"Files\": [],\n\"WAL-Ranges\": [],\nX\n";
    assertThatThrownBy(() -> ManifestBytes.parse(ManifestBytes.withChecksum(v2), Dialect.V1_ONLY))
        .hasMessageContaining("unexpected manifest version");
    String v1WithId = v2.replace("Version\": 2", "Version\": 1");
    assertThatThrownBy(
            () -> ManifestBytes.parse(ManifestBytes.withChecksum(v1WithId), Dialect.V1_ONLY))
        .hasMessageContaining("unrecognized top-level field");
    // 17+ takes a system identifier in a version 1 manifest, and only checks it for version 2
    assertThat(run(v1WithId, Dialect.V1_OR_V2).version()).isEqualTo(1);
    assertThat(run(v2, Dialect.V1_OR_V2).systemIdentifier()).hasValue(12);
    assertThatThrownBy(
            () ->
                ManifestBytes.parse(
                    ManifestBytes.withChecksum(v2.replace("Version\": 2", "Version\": \"phooey\"")),
                    Dialect.V1_OR_V2))
        .hasMessageContaining("manifest version not an integer");
    // pg converts with strtoi64 and then assigns to an int: the quirks are kept
    assertThat(run(v2.replace("Version\": 2", "Version\": \"2\""), Dialect.V1_OR_V2).version())
        .isEqualTo(2);
    assertThat(run(v2.replace("Version\": 2", "Version\": 4294967298"), Dialect.V1_OR_V2).version())
        .isEqualTo(2);
    // before 17 the version is compared as text: a JSON string "1" passes, " 1" does not
    String v1 = "{\"PostgreSQL-Backup-Manifest-Version\": \"1\",\n\"Files\": [],\nX\n";
    assertThat(run(v1, Dialect.V1_ONLY).version()).isEqualTo(1);
    assertThatThrownBy(
            () ->
                ManifestBytes.parse(
                    ManifestBytes.withChecksum(v1.replace("\"1\"", "\" 1\"")), Dialect.V1_ONLY))
        .hasMessageContaining("unexpected manifest version");
    assertThatThrownBy(
            () ->
                ManifestBytes.parse(
                    ManifestBytes.withChecksum(v2.replace("\": 12,", "\": \"x\",")),
                    Dialect.V1_OR_V2))
        .hasMessageContaining("manifest system identifier not an integer");
  }

  @Test
  void acceptsWhatPostgresAccepts() throws Exception {
    String files =
        "{ \"Path\": \"a\\/b\\u00e9\\ud83d\\ude00\", \"Size\": \"12\", \"Last-Modified\": \"x\","
            + " \"Checksum-Algorithm\": \"crc32c\", \"Checksum\": \"8A744722\" },\n"
            + "{ \"Encoded-Path\": \"6300ff\", \"Size\": \"\", \"Checksum-Algorithm\": \"NONE\" },\n"
            + "{ \"Path\": \"s\", \"Size\": \" +7\", \"Size\": 9 },\n"
            + "{ \"Path\": \"n\", \"Size\": -1, \"Checksum-Algorithm\": \"SHA256\", \"Checksum\": \"\" }";
    ParsedManifest m = ManifestBytes.parse(ManifestBytes.v1(files), Dialect.V1_ONLY);
    assertThat(m.files()).containsOnlyKeys("a/bé\uD83D\uDE00", "c", "s", "n");
    ManifestEntry a = m.files().get("a/bé\uD83D\uDE00");
    assertThat(a.size()).isEqualTo(12);
    assertThat(a.algorithm()).isEqualTo(ChecksumAlgorithm.CRC32C);
    assertThat(Hex.encode(a.checksum())).isEqualTo("8a744722");
    assertThat(a.lastModified()).isEqualTo("x");
    assertThat(m.files().get("c").size()).isZero(); // strtoul("") is 0, and *ep is NUL
    assertThat(m.files().get("s").size()).isEqualTo(9); // the last value of a key wins
    assertThat(m.files().get("n").size()).isEqualTo(-1L); // 2^64-1, unsigned
    assertThat(m.files().get("n").checksum()).isEmpty();
    assertThat(m.walRanges()).hasSize(1);
    assertThat(m.walRanges().get(0).toWalRange().end().toString()).isEqualTo("0/2000100");
  }

  @Test
  void theChecksumIsVerified() throws Exception {
    String good = ManifestBytes.v1("{ \"Path\": \"x\", \"Size\": 1 }");
    ManifestBytes.parse(good, Dialect.V1_ONLY);
    String bad = good.replace("\"Size\": 1", "\"Size\": 2");
    assertThatThrownBy(() -> ManifestBytes.parse(bad, Dialect.V1_ONLY))
        .hasMessage("manifest checksum mismatch");
    // the checksum line itself may be changed freely apart from the checksum
    String spaced = good.replace("\"Manifest-Checksum\": ", "\"Manifest-Checksum\"  :\t");
    ManifestBytes.parse(spaced, Dialect.V1_ONLY);
    // whitespace in the covered part is free too, but covered
    assertThat(
            ManifestBytes.parse(
                    ManifestBytes.withChecksum(good.replace(",\n\"Files", ",\r\n \"Files")),
                    Dialect.V1_ONLY)
                .files())
        .containsOnlyKeys("x");
  }

  @Test
  void linesAreNamedInErrors() {
    String m = "{\"PostgreSQL-Backup-Manifest-Version\": 1,\n\n\"Oops\": 1}\n";
    assertThatThrownBy(() -> ManifestBytes.parse(m, Dialect.V1_ONLY))
        .hasMessage("could not parse backup manifest: unrecognized top-level field (line 3)");
  }

  @Test
  void bytesThatAreNotUtf8AreTakenAsTheyAre() throws Exception {
    byte[] m =
        ManifestBytes.v1("{ \"Path\": \"~\", \"Size\": 1 }").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < m.length; i++) {
      if (m[i] == '~') {
        m[i] = (byte) 0xff;
      }
    }
    ParsedManifest p = ManifestBytes.parse(ManifestBytes.withChecksum(m), Dialect.V1_ONLY);
    assertThat(p.files()).containsOnlyKeys("\uFFFD");
  }

  private static ParsedManifest run(String manifest, Dialect d) {
    try {
      return ManifestBytes.parse(ManifestBytes.withChecksum(manifest), d);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
