package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The client embedding guide's example runs against a real server, and the guide shows it. */
class EmbeddingClientIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  @Test
  void theDocumentedExampleSendsWalAndFetchesItBack() throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(PostgresVersions.enabled().get(0)));
    s.sql("CREATE TABLE t AS SELECT g FROM generate_series(1, 10000) g");
    Lsn end = Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));
    WalSegmentSize size = WalSegmentSize.DEFAULT;
    WalFileName.Segment seg = WalFileName.Segment.containing(TimelineId.of(1), end, size);
    try (KlioFixture klio = new KlioFixture(tmp, WalPathIT.conn(s), false, "")) {
      klio.startServer();
      // the slot is created at the current position: the stream starts at its segment's start
      byte[] fetched =
          EmbeddingClientExample.sendThenFetch(
              WalPathIT.conn(s), "127.0.0.1:" + klio.grpcPort, tmp, end, seg.toString());
      // the segment is not complete: the server serves its .partial, zero-padded
      assertThat(fetched).hasSize(size.bytes());
      int upTo = end.segmentOffset(size);
      byte[] theirs =
          Files.readAllBytes(s.dataDirectory().resolve("pg_wal").resolve(seg.toString()));
      assertThat(Arrays.mismatch(Arrays.copyOf(fetched, upTo), Arrays.copyOf(theirs, upTo)))
          .isEqualTo(-1);
    }
  }

  @Test
  void theGuideShowsTheCompiledExample() throws Exception {
    String source =
        Files.readString(Path.of("src/test/java/io/klio/server/wal/EmbeddingClientExample.java"));
    String code =
        source.substring(
            source.indexOf("// --- example start") + "// --- example start".length(),
            source.indexOf("  // --- example end"));
    String guide = Files.readString(Path.of("../docs/embedding-client.md"));
    assertThat(guide.replaceAll("\\s+", " ")).contains(code.replaceAll("\\s+", " ").trim());
  }
}
