package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The restore_command klio restore writes, quoted for the shell and for PostgreSQL's %-escapes. */
class RestoreCommandTest {

  @Test
  void pathsAreSingleShellWordsWithPercentDoubled() {
    assertThat(RestoreCommand.restoreCommand(Path.of("/opt/klio/klio"), Path.of("/etc/k.yaml")))
        .isEqualTo("'/opt/klio/klio' get-wal --config '/etc/k.yaml' %f %p");
    assertThat(
            RestoreCommand.restoreCommand(
                Path.of("/opt/my klio/it's/klio"), Path.of("/etc/100%/client.yaml")))
        .isEqualTo("'/opt/my klio/it'\\''s/klio' get-wal --config '/etc/100%%/client.yaml' %f %p");
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
