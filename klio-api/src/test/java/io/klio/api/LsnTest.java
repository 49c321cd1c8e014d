package io.klio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

  @Test
  void parsesAndFormatsLikePostgres() {
    assertThat(Lsn.parse("16/B374D848").value()).isEqualTo(0x16B374D848L);
    assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.INVALID);
    assertThat(Lsn.parse("0/16b3748").toString()).isEqualTo("0/16B3748");
    assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF")).isEqualTo(Lsn.MAX);
    assertThat(Lsn.of(0x1_0000_0000L).toString()).isEqualTo("1/0");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "0/",
        "/0",
        "0",
        "G/0",
        "0/G",
        "123456789/0",
        "0/123456789",
        "0//0",
        " 0/0"
      })
  void rejectsMalformedTextNamingIt(String text) {
    assertThatThrownBy(() -> Lsn.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void comparesUnsigned() {
    assertThat(Lsn.parse("FFFFFFFF/0")).isGreaterThan(Lsn.parse("0/1"));
    assertThat(Lsn.parse("80000000/0").isAfter(Lsn.parse("7FFFFFFF/FFFFFFFF"))).isTrue();
    assertThat(Lsn.max(Lsn.MAX, Lsn.INVALID)).isEqualTo(Lsn.MAX);
    assertThat(Lsn.min(Lsn.MAX, Lsn.INVALID)).isEqualTo(Lsn.INVALID);
  }

  @Test
  void arithmeticChecksBounds() {
    assertThat(Lsn.parse("0/FFFFFFFF").plus(1)).isEqualTo(Lsn.parse("1/0"));
    assertThat(Lsn.parse("1/10").minus(Lsn.parse("0/FFFFFFF0"))).isEqualTo(0x20);
    assertThatThrownBy(() -> Lsn.MAX.plus(1)).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> Lsn.INVALID.plus(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Lsn.INVALID.minus(Lsn.parse("0/1")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void segmentNumberAndOffset() {
    WalSegmentSize s16 = WalSegmentSize.DEFAULT;
    Lsn lsn = Lsn.parse("2/3000028");
    assertThat(lsn.segmentNumber(s16)).isEqualTo(2L * 256 + 3);
    assertThat(lsn.segmentOffset(s16)).isEqualTo(0x28);
    assertThat(lsn.segmentStart(s16)).isEqualTo(Lsn.parse("2/3000000"));
    WalSegmentSize s1g = WalSegmentSize.ofMegabytes(1024);
    assertThat(lsn.segmentNumber(s1g)).isEqualTo(8);
    assertThat(lsn.segmentOffset(s1g)).isEqualTo(0x3000028);
  }

  @Property
  void formatParseRoundTrip(@ForAll long value) {
    Lsn lsn = Lsn.of(value);
    assertThat(Lsn.parse(lsn.toString())).isEqualTo(lsn);
    assertThat(Lsn.parse(lsn.toString().toLowerCase(java.util.Locale.ROOT))).isEqualTo(lsn);
  }

  @Property
  void orderMatchesUnsignedOrder(@ForAll long a, @ForAll long b) {
    assertThat(Integer.signum(Lsn.of(a).compareTo(Lsn.of(b))))
        .isEqualTo(Integer.signum(Long.compareUnsigned(a, b)));
  }

  @Property
  void segmentStartPlusOffsetIsTheLsn(@ForAll long value, @ForAll("sizes") WalSegmentSize size) {
    Lsn lsn = Lsn.of(value);
    assertThat(lsn.segmentStart(size).plus(lsn.segmentOffset(size))).isEqualTo(lsn);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<WalSegmentSize> sizes() {
    return net.jqwik.api.Arbitraries.integers()
        .between(20, 30)
        .map(i -> new WalSegmentSize(1 << i));
  }
}
