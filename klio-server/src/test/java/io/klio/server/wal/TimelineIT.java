package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failover: the primary stops, its streaming standby is promoted (timeline 2), send-wal next to
 * the new primary follows the switch; a cold copy taken before recovers through both timelines.
 */
class TimelineIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  @ParameterizedTest
  @MethodSource("versions")
  void sendWalFollowsAPromotionAndRecoveryCrossesIt(int major) throws Exception {
    PostgresServer primary = pg.start(PostgresConfig.of(major));
    primary.sql("CREATE TABLE t (id int, phase text)");
    try (PostgresServer copy = primary.coldCopy();
        PostgresServer standby = primary.createStandby();
        KlioFixture klio = new KlioFixture(tmp, WalPathIT.conn(primary), false, "")) {
      klio.startServer();
      klio.startSendWal();
      primary.sql("INSERT INTO t SELECT g, 'before' FROM generate_series(1, 50000) g");
      WalPathIT.awaitFlushed(primary, Lsn.parse(primary.sql("SELECT pg_current_wal_lsn()")));
      primary.stop(); // its shutdown checkpoint is streamed to the archive and to the standby
      klio.killSendWal();
      standby.promote();
      standby.sql("INSERT INTO t SELECT g, 'after' FROM generate_series(1, 30000) g");

      Path next = tmp.resolve("client-standby.yaml");
      Files.writeString(
          next,
          Files.readString(klio.clientConfig())
              .replace(WalPathIT.conn(primary), WalPathIT.conn(standby)));
      try (var sender =
          io.klio.testkit.process.ChildJvm.start(
              io.klio.server.cli.Main.class, 256, "send-wal", "--config", next.toString())) {
        WalPathIT.awaitFlushed(standby, Lsn.parse(standby.sql("SELECT pg_current_wal_lsn()")));
        String info = klio.metrics();
        assertThat(info).contains("klio_wal_streaming{cluster=\"main\"} 1");
      }
      assertThat(Files.exists(klio.tier1.resolve("clusters/main/incoming/00000002.history")))
          .isTrue();
      standby.stop();

      copy.startRecovery(Map.of("restore_command", klio.restoreCommand()));
      copy.awaitRecoveryEnd(Duration.ofMinutes(3));
      assertThat(copy.sql("SELECT phase, count(*) FROM t GROUP BY phase ORDER BY phase"))
          .isEqualTo("after|30000\nbefore|50000");
      assertThat(Integer.parseInt(copy.sql("SELECT timeline_id FROM pg_control_checkpoint()")))
          .isGreaterThanOrEqualTo(3); // timeline 2 from the promotion, 3 from this recovery's end
    }
  }
}
