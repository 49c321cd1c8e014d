package io.klio.server.cli;

import picocli.CommandLine;

/** Entry point of the {@code klio} command. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (0 success, 2 usage error, 1 failure). */
  public static int run(String... args) {
    return new CommandLine(new KlioCommand())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .execute(args);
  }
}
