package io.klio.walstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.Lsn;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The embedding guide's example runs, and the guide shows exactly the code that ran. */
class EmbeddingExampleIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  @Test
  void theDocumentedExampleArchivesWal() throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(PostgresVersions.enabled().get(0)));
    Wal.generate(s, 2);
    s.sql("CREATE TABLE after_switch AS SELECT 1");
    Lsn end = Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));
    String conninfo =
        "postgresql://klio:"
            + s.password()
            + "@127.0.0.1:"
            + s.port()
            + "/postgres?sslmode=disable";
    // the slot is created at the server's current position: stream what comes after it
    assertThat(EmbeddingExample.archive(conninfo, tmp, end))
        .isEqualTo(WalReceiver.Outcome.END_POSITION_REACHED);
    assertThat(s.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'archiver'"))
        .isEqualTo("1");
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".partial"));
    }
  }

  @Test
  void theGuideShowsTheCompiledExample() throws Exception {
    String source =
        Files.readString(Path.of("src/test/java/io/klio/walstream/EmbeddingExample.java"));
    String code =
        source.substring(
            source.indexOf("// --- example start") + "// --- example start".length(),
            source.indexOf("  // --- example end"));
    String guide = Files.readString(Path.of("../docs/embedding-walstream.md"));
    assertThat(normalize(guide)).contains(normalize(code));
  }

  private static String normalize(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }
}
