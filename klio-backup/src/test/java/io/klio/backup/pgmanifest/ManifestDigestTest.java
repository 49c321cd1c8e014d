package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checksum line rule: SHA-256 of every byte through the second-to-last newline. */
class ManifestDigestTest {

  @Test
  void coversEverythingThroughTheSecondToLastNewline() throws Exception {
    String text = "{ a\nb\nc\n\"Manifest-Checksum\": \"x\"}\n";
    for (int piece : new int[] {1, 2, 3, 7, 1000}) {
      ManifestDigest d = new ManifestDigest();
      byte[] b = text.getBytes(StandardCharsets.US_ASCII);
      for (int off = 0; off < b.length; off += piece) {
        d.update(b, off, Math.min(piece, b.length - off));
      }
      assertThat(Hex.encode(d.coveredDigest()))
          .as("pieces of " + piece)
          .isEqualTo(ManifestBytes.sha256Hex("{ a\nb\nc\n"));
    }
  }

  @Test
  void randomSplitsGiveTheSameDigest() throws Exception {
    Random r = new Random(1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      sb.append("line ").append(r.nextInt()).append('\n');
    }
    sb.append("last\n");
    byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
    ManifestDigest d = new ManifestDigest();
    int off = 0;
    while (off < b.length) {
      int n = Math.min(r.nextInt(300), b.length - off);
      d.update(b, off, n);
      off += n;
    }
    String covered = sb.substring(0, sb.length() - "last\n".length());
    assertThat(Hex.encode(d.coveredDigest())).isEqualTo(ManifestBytes.sha256Hex(covered));
  }

  @Test
  void needsTwoLinesAndAFinalNewline() {
    assertThatThrownBy(() -> digest("{}\n").coveredDigest())
        .isInstanceOf(ManifestParseException.class)
        .hasMessage("could not parse backup manifest: expected at least 2 lines");
    assertThatThrownBy(() -> digest("{\n}\nx").coveredDigest())
        .isInstanceOf(ManifestParseException.class)
        .hasMessage("could not parse backup manifest: last line not newline-terminated");
  }

  private static ManifestDigest digest(String s) {
    ManifestDigest d = new ManifestDigest();
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    d.update(b, 0, b.length);
    return d;
  }
}
