package io.klio.backup.pgmanifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The C conversions, as glibc's strtoul, strtoll and sscanf("%X/%X") behave. */
class CNumbersTest {

  @Test
  void strtoul() {
    assertThat(CNumbers.strtoul(b("8192"))).isEqualTo(8192L);
    assertThat(CNumbers.strtoul(b(""))).isZero();
    assertThat(CNumbers.strtoul(b(" \t\n+12"))).isEqualTo(12L);
    assertThat(CNumbers.strtoul(b("-1"))).isEqualTo(-1L);
    assertThat(CNumbers.strtoul(b("18446744073709551615"))).isEqualTo(-1L);
    assertThat(CNumbers.strtoul(b("18446744073709551616"))).isEqualTo(-1L);
    assertThat(CNumbers.strtoul(b("99999999999999999999999"))).isEqualTo(-1L);
    assertThat(CNumbers.strtoul(b("12 "))).isNull();
    assertThat(CNumbers.strtoul(b(" "))).isNull();
    assertThat(CNumbers.strtoul(b("-"))).isNull();
    assertThat(CNumbers.strtoul(b("1e3"))).isNull();
    assertThat(CNumbers.strtoul(b("0x10"))).isNull();
  }

  @Test
  void strtoi64() {
    assertThat(CNumbers.strtoi64(b("2"))).isEqualTo(2L);
    assertThat(CNumbers.strtoi64(b("-2"))).isEqualTo(-2L);
    assertThat(CNumbers.strtoi64(b("9223372036854775808"))).isEqualTo(Long.MAX_VALUE);
    assertThat(CNumbers.strtoi64(b("-9223372036854775809"))).isEqualTo(Long.MIN_VALUE);
    assertThat(CNumbers.strtoi64(b(""))).isZero();
    assertThat(CNumbers.strtoi64(b("2.0"))).isNull();
  }

  @Test
  void scanLsn() {
    assertThat(CNumbers.scanLsn(b("0/2000028"))).isEqualTo(0x2000028L);
    assertThat(CNumbers.scanLsn(b("16/B374D848"))).isEqualTo(0x16_B374D848L);
    assertThat(CNumbers.scanLsn(b("0/02000028"))).isEqualTo(0x2000028L);
    assertThat(CNumbers.scanLsn(b(" 0x1/ 0xa trailing"))).isEqualTo(0x1_0000000AL);
    assertThat(CNumbers.scanLsn(b("1 /2"))).isNull();
    assertThat(CNumbers.scanLsn(b("1/"))).isNull();
    assertThat(CNumbers.scanLsn(b("/1"))).isNull();
    assertThat(CNumbers.scanLsn(b("oops"))).isNull();
    assertThat(CNumbers.scanLsn(b(""))).isNull();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
