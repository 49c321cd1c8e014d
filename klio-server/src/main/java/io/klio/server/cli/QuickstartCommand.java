package io.klio.server.cli;

import io.klio.server.quickstart.Quickstart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code klio quickstart}: the whole product on this machine with nothing to configure; the work is
 * {@link Quickstart}'s.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the whole product on this machine: back up PostgreSQL, break it, restore it.",
      "Starts a throwaway PostgreSQL (the system's binaries, else those the build fetched from"
          + " Maven), makes certificates and an encryption key, starts a Klio server on a"
          + " temporary Tier 1 and send-wal in synchronous mode, takes a base backup, writes a"
          + " table, notes the time, drops the table, takes a second backup, restores to the"
          + " noted time into a new directory, starts the restored cluster and checks that the"
          + " table is back. Every klio command runs as a child process through the ./klio"
          + " launcher, as you would type it; as root, PostgreSQL and the commands next to it"
          + " run as the postgres OS user. One line per step, then a summary; everything is"
          + " stopped and removed at the end (also on failure and Ctrl-C) unless --keep."
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:the restored cluster holds the data as at the noted time",
      Quickstart.FAILED + ":a step failed (the output says which, with the last lines of its log)",
      QuickstartCommand.INVALID
          + ":usage error, such as a --dir that is not empty, or not run through ./klio"
    })
public final class QuickstartCommand implements Callable<Integer> {

  /** The system property the ./klio launcher sets to its own path. */
  static final String LAUNCHER = "klio.launcher";

  static final int INVALID = Main.USAGE;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "the work directory (new or empty; default: a new one in the system's temp directory)")
  Path dir;

  @Option(names = "--keep", description = "keep the work directory and say how to go on with it")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    String launcher = System.getProperty(LAUNCHER);
    if (launcher == null || !Files.isExecutable(Path.of(launcher))) {
      System.err.println(
          "klio quickstart: run it with the klio launcher (./klio quickstart at the top of the"
              + " source tree), which runs the other commands; the system property "
              + LAUNCHER
              + (launcher == null ? " is not set" : " names " + launcher + ", not an executable"));
      return INVALID;
    }
    try {
      return Quickstart.run(
          new Quickstart.Options(Optional.ofNullable(dir), keep, Path.of(launcher)), System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("klio quickstart: --dir: " + e.getMessage());
      return INVALID;
    }
  }
}
