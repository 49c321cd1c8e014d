package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code ./klio} script at the repository root runs the packaged CLI. */
class LauncherIT {

  private static final Path LAUNCHER = Path.of("..", "klio").toAbsolutePath().normalize();

  private static String run(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = LAUNCHER.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + "\n" + out;
  }

  @Test
  void versionAndHelpRunThroughTheLauncher() throws Exception {
    assertThat(Files.isExecutable(LAUNCHER)).as(LAUNCHER + " is executable").isTrue();
    assertThat(run("--version")).startsWith("0\nklio " + KlioVersion.version());
    assertThat(run("--help")).startsWith("0\nUsage: klio");
    assertThat(run("nope")).startsWith("2\n");
  }
}
