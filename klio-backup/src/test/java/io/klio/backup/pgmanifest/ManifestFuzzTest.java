package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.klio.backup.pgmanifest.BackupManifestVerifier.Kind;
import io.klio.backup.pgmanifest.BackupManifestVerifier.Options;
import io.klio.backup.pgmanifest.ManifestParser.Dialect;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random and mutated manifests: the parser either accepts or fails with its own clean exception,
 * never anything else and never a hang; the verifier never throws.
 */
class ManifestFuzzTest {

  private static final byte[] VALID = validManifest();

  @Property(tries = 3000)
  void randomBytesFailCleanly(@ForAll @Size(max = 300) byte[] input) {
    parseCleanly(input);
  }

  @Property(tries = 3000)
  void mutatedManifestsFailCleanly(@ForAll("mutations") byte[] input) {
    parseCleanly(input);
  }

  @Property(tries = 300)
  void mutatedManifestsWithTheirChecksumFixedParseOrFailCleanly(@ForAll("mutations") byte[] input) {
    parseCleanly(ManifestBytes.withChecksum(input));
  }

  @Property(tries = 200)
  void theVerifierNeverThrows(@ForAll("mutations") byte[] input, @ForAll boolean fixChecksum)
      throws Exception {
    Path dir = Files.createTempDirectory("klio-fuzz");
    try {
      Files.write(
          dir.resolve("backup_manifest"), fixChecksum ? ManifestBytes.withChecksum(input) : input);
      Files.writeString(dir.resolve("PG_VERSION"), "18\n");
      BackupManifestVerifier.Report r = BackupManifestVerifier.verify(dir, Options.defaults());
      if (r.findings().stream().anyMatch(f -> f.kind() == Kind.MANIFEST)) {
        assertThat(r.findings()).hasSize(1);
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Provide
  Arbitrary<byte[]> mutations() {
    Arbitrary<Integer> pos = Arbitraries.integers().between(0, VALID.length - 1);
    Arbitrary<byte[]> junk = Arbitraries.bytes().array(byte[].class).ofMaxSize(8);
    Arbitrary<byte[]> flip =
        Combinators.combine(pos, Arbitraries.bytes())
            .as(
                (p, b) -> {
                  byte[] m = VALID.clone();
                  m[p] = b;
                  return m;
                });
    Arbitrary<byte[]> cut = pos.map(p -> Arrays.copyOf(VALID, p));
    Arbitrary<byte[]> delete =
        Combinators.combine(pos, Arbitraries.integers().between(1, 40))
            .as((p, n) -> splice(VALID, p, Math.min(n, VALID.length - p), new byte[0]));
    Arbitrary<byte[]> insert = Combinators.combine(pos, junk).as((p, j) -> splice(VALID, p, 0, j));
    Arbitrary<byte[]> token =
        Combinators.combine(
                pos,
                Arbitraries.of(
                    "{",
                    "}",
                    "[",
                    "]",
                    ",",
                    ":",
                    "\"",
                    "\\",
                    "\\u",
                    "\\ud800",
                    "\n",
                    "1",
                    "-",
                    "null",
                    "\"Path\"",
                    "\"Size\": 1",
                    "\"Files\": []"))
            .as((p, t) -> splice(VALID, p, 0, t.getBytes(StandardCharsets.UTF_8)));
    Arbitrary<byte[]> duplicateLine =
        Arbitraries.integers()
            .between(2, 6)
            .map(
                n -> {
                  String s = new String(VALID, StandardCharsets.UTF_8);
                  String[] lines = s.split("\n", -1);
                  return (s.replace(lines[n] + "\n", lines[n] + "\n" + lines[n] + "\n"))
                      .getBytes(StandardCharsets.UTF_8);
                });
    return Arbitraries.oneOf(flip, cut, delete, insert, token, duplicateLine);
  }

  private static void parseCleanly(byte[] input) {
    for (Dialect d : Dialect.values()) {
      try {
        ManifestBytes.parse(input, d);
      } catch (ManifestParseException e) {
        assertThat(e.getMessage()).isNotBlank();
      } catch (Throwable t) {
        fail("not a clean failure for " + new String(input, StandardCharsets.UTF_8), t);
      }
    }
  }

  private static byte[] splice(byte[] a, int at, int remove, byte[] insert) {
    byte[] out = new byte[a.length - remove + insert.length];
    System.arraycopy(a, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(a, at + remove, out, at + insert.length, a.length - at - remove);
    return out;
  }

  private static byte[] validManifest() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BackupManifestWriter w =
          BackupManifestWriter.version2(out, new io.klio.api.SystemIdentifier(42));
      w.addFile("PG_VERSION", 3, Instant.EPOCH, Checksum.crc32c(0x2247748aL));
      w.addFile("base/1/12\"\\\n", 0, Instant.EPOCH, Checksum.none());
      w.addFile(new byte[] {(byte) 0xff}, 5, Instant.EPOCH, Checksum.crc32c(1));
      w.addFile("global/pg_control", 8192, Instant.EPOCH, Checksum.crc32c(2));
      w.finish(DataDirs.RANGE);
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
