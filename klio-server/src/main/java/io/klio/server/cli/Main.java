package io.klio.server.cli;

import picocli.CommandLine;

/** Entry point of the {@code klio} command. */
public final class Main {

  private Main() {}

  /** Netty's buffer leak detection (gRPC's copy of Netty), unless the user sets it. */
  static final String LEAK_DETECTION = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  public static void main(String[] args) {
    // a diagnostic: it records a stack trace for one buffer in 128, a cost on every WAL message
    // of a synchronous standby; -D...leakDetection.level=simple turns it back on
    if (System.getProperty(LEAK_DETECTION) == null) {
      System.setProperty(LEAK_DETECTION, "disabled");
    }
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (0 success, 2 usage error, 1 failure). */
  public static int run(String... args) {
    return new CommandLine(new KlioCommand())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .execute(args);
  }
}
