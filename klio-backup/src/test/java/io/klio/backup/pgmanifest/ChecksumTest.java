package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksumTest {

  @TempDir Path tmp;

  @Test
  void crc32cHexIsTheLittleEndianBytesOfTheValue() {
    // pg_basebackup 15 wrote "8a744722" for PG_VERSION = "15\n", whose CRC-32C is 0x2247748a
    CRC32C crc = new CRC32C();
    crc.update("15\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(crc.getValue()).isEqualTo(0x2247748aL);
    assertThat(Checksum.crc32cHex(crc.getValue())).isEqualTo("8a744722");
    // the standard check value of CRC-32C
    ChecksumCalculator c = ChecksumCalculator.start(ChecksumAlgorithm.CRC32C);
    c.update("123456789".getBytes(StandardCharsets.US_ASCII));
    assertThat(c.finish().hex()).isEqualTo("839206e3");
    assertThat(Checksum.crc32c(0xE3069283L).bytes()).containsExactly(0x83, 0x92, 0x06, 0xE3);
  }

  @Test
  void shaDigestsAreTheStandardOnes() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    assertThat(of(ChecksumAlgorithm.SHA224, abc))
        .isEqualTo("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
    assertThat(of(ChecksumAlgorithm.SHA256, abc))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(of(ChecksumAlgorithm.SHA384, abc)).hasSize(96).startsWith("cb00753f45a35e8b");
    assertThat(of(ChecksumAlgorithm.SHA512, abc)).hasSize(128).startsWith("ddaf35a193617aba");
    assertThat(of(ChecksumAlgorithm.NONE, abc)).isEmpty();
  }

  @Test
  void feedingInPiecesEqualsFeedingAtOnce() throws Exception {
    byte[] data = new byte[300_001];
    new Random(7).nextBytes(data);
    Path f = tmp.resolve("f");
    Files.write(f, data);
    for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
      ChecksumCalculator whole = ChecksumCalculator.start(a);
      whole.update(data);
      ChecksumCalculator pieces = ChecksumCalculator.start(a);
      int off = 0;
      Random r = new Random(a.ordinal());
      while (off < data.length) {
        int n = Math.min(r.nextInt(5000), data.length - off);
        if (r.nextBoolean()) {
          pieces.update(data, off, n);
        } else {
          pieces.update(ByteBuffer.wrap(data, off, n));
        }
        off += n;
      }
      assertThat(pieces.bytes()).isEqualTo(data.length);
      Checksum sum = whole.finish();
      assertThat(pieces.finish()).as(a.name()).isEqualTo(sum);
      assertThat(ChecksumCalculator.of(f, a)).isEqualTo(sum);
      assertThat(sum.rawBytes()).hasSize(a.length());
    }
  }

  @Test
  void aCalculatorFinishesOnce() {
    ChecksumCalculator c = ChecksumCalculator.start(ChecksumAlgorithm.SHA256);
    c.finish();
    assertThatThrownBy(c::finish).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> c.update(new byte[1])).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void valuesAreChecked() {
    assertThatThrownBy(() -> Checksum.of(ChecksumAlgorithm.SHA256, new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> Checksum.parseHex(ChecksumAlgorithm.CRC32C, "8a74472"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8a74472");
    assertThat(Checksum.parseHex(ChecksumAlgorithm.CRC32C, "8A744722"))
        .isEqualTo(Checksum.crc32c(0x2247748aL))
        .hasToString("CRC32C:8a744722");
    assertThat(Checksum.none()).hasToString("NONE");
  }

  @Test
  void algorithmNamesMatchWithoutRegardToCase() {
    assertThat(ChecksumAlgorithm.parse("crc32c")).contains(ChecksumAlgorithm.CRC32C);
    assertThat(ChecksumAlgorithm.parse("Sha512")).contains(ChecksumAlgorithm.SHA512);
    assertThat(ChecksumAlgorithm.parse("none")).contains(ChecksumAlgorithm.NONE);
    assertThat(ChecksumAlgorithm.parse("md5")).isEmpty();
    assertThat(ChecksumAlgorithm.parse("")).isEmpty();
  }

  private static String of(ChecksumAlgorithm a, byte[] data) {
    ChecksumCalculator c = ChecksumCalculator.start(a);
    c.update(data);
    return c.finish().hex();
  }
}
