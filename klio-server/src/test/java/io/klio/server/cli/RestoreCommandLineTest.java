package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore_command of {@link RestoreCommandLine}, run as PostgreSQL runs it: its placeholders
 * replaced, by {@code /bin/sh -c} in the data directory, with a stand-in for the launcher that
 * records its arguments.
 */
class RestoreCommandLineTest {

  private static final String SEGMENT = "000000010000000000000005";

  @TempDir Path tmp;
  private Path data;
  private Path spool;
  private Path launcher;
  private Path config;
  private Path calls;

  @BeforeEach
  void setUp() throws Exception {
    // paths a shell or PostgreSQL would misread unquoted: a space, a quote, %f, a $
    Path odd = Files.createDirectories(tmp.resolve("it's %f $HOME dir"));
    data = Files.createDirectories(odd.resolve("data"));
    spool = Files.createDirectories(data.resolve(RestoreCommandLine.DEFAULT_SPOOL));
    calls = odd.resolve("calls");
    launcher = odd.resolve("klio launcher");
    Files.writeString(
        launcher,
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >'"
            + calls.toString().replace("'", "'\\''")
            + "'\nexit 7\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    config = odd.resolve("client %p.yaml");
  }

  /** What PostgreSQL does to restore_command before it runs it: %f, %p, %% replaced. */
  private static String substitute(String command, String f, String p) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (c == '%' && i + 1 < command.length()) {
        char n = command.charAt(++i);
        switch (n) {
          case 'f' -> out.append(f);
          case 'p' -> out.append(p);
          case '%' -> out.append('%');
          default -> throw new AssertionError("PostgreSQL refuses the placeholder %" + n);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Runs the restore command for {@code name} into pg_wal/RECOVERYXLOG; its exit status. */
  private int restore(String name) throws Exception {
    String command =
        substitute(
            RestoreCommandLine.restoreCommand(launcher, config, RestoreCommandLine.DEFAULT_SPOOL),
            name,
            "pg_wal/RECOVERYXLOG");
    Process p =
        new ProcessBuilder("/bin/sh", "-c", command)
            .directory(data.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("the restore command prints nothing").isEmpty();
    return p.exitValue();
  }

  @Test
  void aSpooledSegmentIsMovedIntoPlaceWithoutRunningKlio() throws Exception {
    Files.writeString(spool.resolve(SEGMENT), "segment 5");
    assertThat(restore(SEGMENT)).isZero();
    assertThat(data.resolve("pg_wal/RECOVERYXLOG")).hasContent("segment 5");
    assertThat(spool.resolve(SEGMENT)).doesNotExist();
    assertThat(calls).doesNotExist();
  }

  @Test
  void anythingElseIsGetWalsWithItsExitStatus() throws Exception {
    // a segment being written (a temporary name) is not taken; nor does a history file match it
    Files.writeString(spool.resolve("." + SEGMENT + ".tmp-12-1"), "half");
    for (String name : List.of(SEGMENT, "00000002.history", SEGMENT + ".partial")) {
      Files.deleteIfExists(calls);
      assertThat(restore(name)).as(name).isEqualTo(7);
      assertThat(Files.readAllLines(calls))
          .as(name)
          .containsExactly(
              "get-wal",
              "--config",
              config.toString(),
              "--prefetch",
              "pg_wal/klio-prefetch",
              name,
              "pg_wal/RECOVERYXLOG");
      assertThat(data.resolve("pg_wal/RECOVERYXLOG")).doesNotExist();
    }
  }

  @Test
  void pathsAreQuotedForTheShellAndForPostgresql() {
    assertThat(RestoreCommandLine.word(Path.of("/opt/klio/klio"))).isEqualTo("'/opt/klio/klio'");
    assertThat(RestoreCommandLine.word(Path.of("/a'b"))).isEqualTo("'/a'\\''b'");
    assertThat(RestoreCommandLine.word(Path.of("/100%p"))).isEqualTo("'/100%%p'");
    assertThat(RestoreCommandLine.word(Path.of("/$x `y`"))).isEqualTo("'/$x `y`'");
    assertThat(
            RestoreCommandLine.restoreCommand(
                Path.of("/opt/klio/klio"),
                Path.of("/etc/klio/client.yaml"),
                RestoreCommandLine.DEFAULT_SPOOL))
        .isEqualTo(
            "mv -f 'pg_wal/klio-prefetch'/\"%f\" \"%p\" 2>/dev/null || exec '/opt/klio/klio'"
                + " get-wal --config '/etc/klio/client.yaml' --prefetch 'pg_wal/klio-prefetch'"
                + " \"%f\" \"%p\"");
    assertThat(
            RestoreCommandLine.setting(
                Path.of("/k'lio"), Path.of("/c.yaml"), RestoreCommandLine.DEFAULT_SPOOL))
        .startsWith("restore_command = 'mv -f ''pg_wal/klio-prefetch''/\"%f\"")
        .contains("exec ''/k''\\''''lio'' get-wal --config ''/c.yaml''")
        .endsWith(" \"%f\" \"%p\"'");
  }

  @Test
  void relativeCommandsAndLineBreaksAreRefused() {
    Path spoolPath = RestoreCommandLine.DEFAULT_SPOOL;
    assertThatThrownBy(
            () -> RestoreCommandLine.restoreCommand(Path.of("klio"), Path.of("/c.yaml"), spoolPath))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute");
    assertThatThrownBy(
            () -> RestoreCommandLine.restoreCommand(Path.of("/klio"), Path.of("c.yaml"), spoolPath))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                RestoreCommandLine.restoreCommand(
                    Path.of("/klio"), Path.of("/etc/a\nb.yaml"), spoolPath))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control character");
  }
}
