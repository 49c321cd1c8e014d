package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./klio quickstart}, the README's first command, through the launcher of the packaged
 * build: one whole run (PostgreSQL, the server, send-wal, two backups, a point-in-time restore and
 * its check), which must end with the data back and its directory removed.
 */
class QuickstartIT {

  private static final Path LAUNCHER = Path.of("..", "klio").toAbsolutePath().normalize();

  @Test
  void theQuickstartRestoresTheDroppedTableAndCleansUp(@TempDir Path tmp) throws Exception {
    // as root, PostgreSQL's OS user must reach the work directory
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dir = tmp.resolve("quickstart");
    Path output = tmp.resolve("output.txt");
    Process p =
        new ProcessBuilder(LAUNCHER.toString(), "quickstart", "--dir", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    boolean exited = p.waitFor(15, TimeUnit.MINUTES);
    if (!exited) {
      p.destroy(); // its clean-up runs on SIGTERM
      p.waitFor(2, TimeUnit.MINUTES);
    }
    String out = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(exited).as("finished within 15 minutes:\n" + out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .as(out)
        .containsPattern(
            "(?m)^check: ok, quickstart_accounts is back with 100000 rows, sum of balances"
                + " 50000500000, md5 of notes [0-9a-f]{32}, as at \\d{4}-\\d\\d-\\d\\d ")
        .contains("backup 2");
    assertThat(dir).as("removed at the end").doesNotExist();
  }
}
