package io.klio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.KlioException;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {

  @Test
  void timelineRange() {
    assertThat(TimelineId.of(10).toHex()).isEqualTo("0000000A");
    assertThat(TimelineId.parseHex("FFFFFFFF").value()).isEqualTo(0xFFFFFFFFL);
    assertThat(TimelineId.parse(" 3 ")).isEqualTo(TimelineId.of(3));
    assertThat(TimelineId.FIRST.next()).isEqualTo(TimelineId.of(2));
    assertThatThrownBy(() -> TimelineId.of(0)).hasMessageContaining("out of range");
    assertThatThrownBy(() -> TimelineId.of(0x1_0000_0000L)).hasMessageContaining("out of range");
    assertThatThrownBy(() -> TimelineId.parseHex("0000000a")).hasMessageContaining("'0000000a'");
    assertThatThrownBy(() -> TimelineId.parse("x")).hasMessageContaining("'x'");
  }

  @Property
  void timelineHexRoundTrip(@ForAll @LongRange(min = 1, max = 0xFFFFFFFFL) long v) {
    TimelineId t = TimelineId.of(v);
    assertThat(TimelineId.parseHex(t.toHex())).isEqualTo(t);
    assertThat(TimelineId.parse(t.toString())).isEqualTo(t);
  }

  @Property
  void systemIdentifierIsUnsigned(@ForAll long v) {
    SystemIdentifier id = new SystemIdentifier(v);
    assertThat(SystemIdentifier.parse(id.toString())).isEqualTo(id);
    assertThat(id.toString()).doesNotStartWith("-");
  }

  @Test
  void systemIdentifierRejectsGarbage() {
    assertThat(SystemIdentifier.parse("7412345678901234567").value())
        .isEqualTo(7412345678901234567L);
    assertThatThrownBy(() -> SystemIdentifier.parse("-1")).hasMessageContaining("'-1'");
    assertThatThrownBy(() -> SystemIdentifier.parse("18446744073709551616"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void segmentSizes() {
    assertThat(WalSegmentSize.DEFAULT.bytes()).isEqualTo(16 << 20);
    assertThat(WalSegmentSize.DEFAULT.segmentsPerXLogId()).isEqualTo(256);
    assertThat(WalSegmentSize.ofMegabytes(1).log2()).isEqualTo(20);
    assertThat(WalSegmentSize.ofMegabytes(1024).segmentsPerXLogId()).isEqualTo(4);
    for (long bad : new long[] {0, 1 << 19, 3 << 20, 2L << 30, -1, 1L << 40}) {
      assertThatThrownBy(() -> WalSegmentSize.ofBytes(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void backupIds() {
    Instant t = Instant.parse("2026-11-24T05:44:32.789Z");
    BackupId id = BackupId.of(t);
    assertThat(id.value()).isEqualTo("20261124T054432Z");
    assertThat(id.startTime()).isEqualTo(Instant.parse("2026-11-24T05:44:32Z"));
    assertThat(BackupId.parse("20261124T054433Z")).isGreaterThan(id);
    for (String bad : new String[] {"", "2026-11-24", "20261124T054432", "20261324T054432Z"}) {
      assertThatThrownBy(() -> BackupId.parse(bad)).hasMessageContaining("'" + bad + "'");
    }
  }

  @Property
  void backupIdRoundTrip(@ForAll @LongRange(min = 0, max = 253402300799L) long seconds) {
    BackupId id = BackupId.of(Instant.ofEpochSecond(seconds));
    assertThat(BackupId.parse(id.value())).isEqualTo(id);
    assertThat(id.startTime().getEpochSecond()).isEqualTo(seconds);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "pg-main", "cluster-1", "0abc"})
  void validClusterNames(String name) {
    assertThat(ClusterName.of(name).value()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-a", "a-", "Main", "a_b", "a.b", "a b", "é"})
  void invalidClusterNames(String name) {
    assertThatThrownBy(() -> ClusterName.of(name)).hasMessageContaining("'" + name + "'");
  }

  @Test
  void clusterNameLength() {
    ClusterName.of("a".repeat(63));
    assertThatThrownBy(() -> ClusterName.of("a".repeat(64))).hasMessageContaining("at most 63");
    assertThatThrownBy(() -> ClusterName.of("")).hasMessageContaining("empty");
  }

  @Test
  void errorsAreClassified() {
    KlioException nf = new NotFoundException("missing");
    KlioException rt = new RetryableException("timeout");
    KlioException pm = new PermanentException("bad");
    assertThat(nf.isRetryable()).isFalse();
    assertThat(rt.isRetryable()).isTrue();
    assertThat(pm.isRetryable()).isFalse();
    assertThat(KlioException.class.getPermittedSubclasses())
        .containsExactlyInAnyOrder(
            NotFoundException.class, RetryableException.class, PermanentException.class);
  }
}
