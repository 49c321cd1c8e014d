package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.backup.pgmanifest.ManifestParser.Dialect;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupManifestWriterTest {

  private static final Instant T = Instant.parse("2026-12-01T21:08:39.268710666Z");
  private static final List<WalRange> ONE_RANGE =
      List.of(new WalRange(TimelineId.FIRST, Lsn.parse("0/2000028"), Lsn.parse("0/2000100")));

  @Test
  void version1HasTheServersLayoutByteForByte() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupManifestWriter w = BackupManifestWriter.version1(out);
    w.addFile("backup_label", 225, T, Checksum.crc32c(0x3c3e3349L));
    w.addFile("PG_VERSION", 3, T, Checksum.crc32c(0x2247748aL));
    Checksum sum = w.finish(ONE_RANGE);

    String body =
        "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n"
            + "\"Files\": [\n"
            + "{ \"Path\": \"backup_label\", \"Size\": 225, \"Last-Modified\": \"2026-12-01 21:08:39"
            + " GMT\", \"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"49333e3c\" },\n"
            + "{ \"Path\": \"PG_VERSION\", \"Size\": 3, \"Last-Modified\": \"2026-12-01 21:08:39"
            + " GMT\", \"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"8a744722\" }\n"
            + "],\n"
            + "\"WAL-Ranges\": [\n"
            + "{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }\n"
            + "],\n";
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(body + "\"Manifest-Checksum\": \"" + ManifestBytes.sha256Hex(body) + "\"}\n");
    assertThat(sum.hex()).isEqualTo(ManifestBytes.sha256Hex(body));
    assertThat(w.bytesWritten()).isEqualTo(out.size());
    assertThat(w.files()).isEqualTo(2);
  }

  @Test
  void version2NamesTheSystemIdentifierUnsigned() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SystemIdentifier id = SystemIdentifier.parse("17714445545683655845");
    BackupManifestWriter w = BackupManifestWriter.forMajor(17, id, out);
    w.finish(ONE_RANGE);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith(
            "{ \"PostgreSQL-Backup-Manifest-Version\": 2,\n"
                + "\"System-Identifier\": 17714445545683655845,\n"
                + "\"Files\": [\n],\n\"WAL-Ranges\": [\n");
    ParsedManifest m = ManifestBytes.parse(text, Dialect.V1_OR_V2);
    assertThat(m.version()).isEqualTo(2);
    assertThat(Long.toUnsignedString(m.systemIdentifier().getAsLong()))
        .isEqualTo("17714445545683655845");
  }

  @Test
  void majorsUpTo16GetVersion1() throws Exception {
    for (int major : new int[] {13, 15, 16}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BackupManifestWriter.forMajor(major, new SystemIdentifier(1), out).finish(ONE_RANGE);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .startsWith("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [");
    }
  }

  @Test
  void escapesLikeEscapeJson() {
    byte[] in = {
      'a', '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', 0x01, 0x1f, 0x7f, (byte) 0xc3, (byte) 0xa9
    };
    ByteSink out = new ByteSink();
    BackupManifestWriter.escapeJson(in, out);
    byte[] expected =
        concat(
            "\"a\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\u007f",
            new byte[] {(byte) 0xc3, (byte) 0xa9, '"'});
    assertThat(out.toByteArray()).isEqualTo(expected);
  }

  @Test
  void pathsThatAreNotUtf8AreHexEncoded() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupManifestWriter w = BackupManifestWriter.version1(out);
    w.addFile(new byte[] {'d', '/', (byte) 0xff, 'x'}, 0, Instant.EPOCH, Checksum.none());
    w.addFile("d/é\n", 0, Instant.EPOCH, Checksum.none());
    w.finish(ONE_RANGE);
    String text = out.toString(StandardCharsets.ISO_8859_1);
    assertThat(text)
        .contains(
            "\n{ \"Encoded-Path\": \"642fff78\", \"Size\": 0, \"Last-Modified\": \"1970-01-01"
                + " 00:00:00 GMT\" },\n")
        .contains("{ \"Path\": \"d/\u00c3\u00a9\\n\", \"Size\": 0,");
    ParsedManifest m = ManifestBytes.parse(out.toByteArray(), Dialect.V1_ONLY);
    assertThat(m.files()).containsKeys("d/\uFFFDx", "d/é\n");
  }

  @Test
  void everyAlgorithmIsWrittenWithItsNameAndHex() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupManifestWriter w = BackupManifestWriter.version1(out);
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
      ChecksumCalculator c = ChecksumCalculator.start(a);
      c.update(data);
      w.addFile("f_" + a, c.bytes(), T, c.finish());
    }
    w.finish(ONE_RANGE);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "\"Path\": \"f_NONE\", \"Size\": 5, \"Last-Modified\": \"2026-12-01 21:08:39 GMT\" }")
        .contains(
            "\"Checksum-Algorithm\": \"SHA256\", \"Checksum\":"
                + " \"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"");
    ParsedManifest m = ManifestBytes.parse(text, Dialect.V1_ONLY);
    assertThat(m.files().get("f_SHA512").checksum()).hasSize(64);
    assertThat(m.files().get("f_NONE").algorithm()).isEqualTo(ChecksumAlgorithm.NONE);
  }

  @Test
  void lastModifiedIsWholeSecondsInGmt() {
    assertThat(BackupManifestWriter.lastModified(Instant.EPOCH))
        .isEqualTo("1970-01-01 00:00:00 GMT");
    assertThat(BackupManifestWriter.lastModified(Instant.ofEpochSecond(-1, 500_000_000)))
        .isEqualTo("1969-12-31 23:59:59 GMT");
    assertThat(BackupManifestWriter.lastModified(Instant.parse("0999-01-02T03:04:05.9Z")))
        .isEqualTo("0999-01-02 03:04:05 GMT");
  }

  @Test
  void severalWalRangesOnePerLine() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupManifestWriter w = BackupManifestWriter.version1(out);
    w.finish(
        List.of(
            new WalRange(TimelineId.of(2), Lsn.parse("0/5000000"), Lsn.parse("0/6000100")),
            new WalRange(TimelineId.FIRST, Lsn.parse("0/2000028"), Lsn.parse("0/5000000"))));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(
            "\"WAL-Ranges\": [\n"
                + "{ \"Timeline\": 2, \"Start-LSN\": \"0/5000000\", \"End-LSN\": \"0/6000100\" },\n"
                + "{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/5000000\" }\n"
                + "],\n\"Manifest-Checksum\": \"");
  }

  @Test
  void refusesWhatPostgresWouldNotRead() throws Exception {
    BackupManifestWriter w = BackupManifestWriter.version1(OutputStream.nullOutputStream());
    for (String bad : List.of("", "/etc/passwd", "a//b", "a/./b", "../x", "a/", "x\0y")) {
      assertThatThrownBy(() -> w.addFile(bad, 0, T, Checksum.none()))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> w.addFile("a\uD800", 0, T, Checksum.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> w.addFile("a", -1, T, Checksum.none()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.finish(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WAL range");
    w.finish(ONE_RANGE);
    assertThatThrownBy(() -> w.addFile("a", 0, T, Checksum.none()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> w.finish(ONE_RANGE)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aLargeManifestIsStreamedInBoundedMemory() throws Exception {
    CountingDigest sink = new CountingDigest();
    BackupManifestWriter w = BackupManifestWriter.version1(sink);
    for (int i = 0; i < 600_000; i++) {
      w.addFile("base/5/" + i, 8192, T, Checksum.crc32c(i));
    }
    w.finish(ONE_RANGE);
    assertThat(sink.count)
        .isEqualTo(w.bytesWritten())
        .isGreaterThan(64L << 20); // more than the heap: -Xmx64m
  }

  private static final class CountingDigest extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  private static byte[] concat(String ascii, byte[] tail) {
    byte[] a = ascii.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[a.length + tail.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(tail, 0, out, a.length, tail.length);
    return out;
  }
}
