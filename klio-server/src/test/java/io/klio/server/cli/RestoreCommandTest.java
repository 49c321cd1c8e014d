package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The restore_command klio restore writes, quoted for the shell and for PostgreSQL's %-escapes. */
class RestoreCommandTest {

  @Test
  void theRestoreCommandTakesPrefetchedSegmentsAndFallsBackToGetWal() {
    assertThat(RestoreCommand.restoreCommand(Path.of("/opt/klio/klio"), Path.of("/etc/k.yaml")))
        .isEqualTo(
            RestoreCommandLine.restoreCommand(
                Path.of("/opt/klio/klio"),
                Path.of("/etc/k.yaml"),
                RestoreCommandLine.DEFAULT_SPOOL))
        .startsWith("mv -f 'pg_wal/klio-prefetch'/\"%f\" \"%p\"")
        .contains("exec '/opt/klio/klio' get-wal --config '/etc/k.yaml' --prefetch");
  }

  @Test
  void theLauncherIsTheOneThatRanTheCommand() {
    String before = System.getProperty("klio.launcher");
    try {
      System.setProperty("klio.launcher", "/srv/klio/./bin/../klio");
      assertThat(RestoreCommand.launcher()).isEqualTo(Path.of("/srv/klio/klio"));
    } finally {
      if (before == null) {
        System.clearProperty("klio.launcher");
      } else {
        System.setProperty("klio.launcher", before);
      }
    }
  }
}
