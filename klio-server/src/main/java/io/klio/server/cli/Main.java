package io.klio.server.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** Entry point of the {@code klio} command. */
public final class Main {

  private Main() {}

  /** Netty's buffer leak detection (gRPC's copy of Netty), unless the user sets it. */
  static final String LEAK_DETECTION = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  /** The exit status of a usage error (picocli's), for {@code klio} and most commands. */
  static final int USAGE = CommandLine.ExitCode.USAGE;

  public static void main(String[] args) {
    // a diagnostic: it records a stack trace for one buffer in 128, a cost on every WAL message
    // of a synchronous standby; -D...leakDetection.level=simple turns it back on
    if (System.getProperty(LEAK_DETECTION) == null) {
      System.setProperty(LEAK_DETECTION, "disabled");
    }
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (see each command's "Exit status"). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /**
   * The {@code klio} command line: every command and subcommand, as {@link #run} executes them. A
   * command that lists no exit statuses of its own shows its parent's, and so with the footer.
   */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new KlioCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    inheritExitCodes(cl);
    CommandLine.IParameterExceptionHandler usual = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler((e, args) -> unknownCommand(e, args, usual));
    cl.setExecutionStrategy(Main::rejectUnmatched);
    return cl;
  }

  private static void inheritExitCodes(CommandLine parent) {
    CommandSpec p = parent.getCommandSpec();
    for (CommandLine sub : parent.getSubcommands().values()) {
      CommandSpec s = sub.getCommandSpec();
      if (s.usageMessage().exitCodeList().isEmpty()) {
        s.usageMessage()
            .exitCodeListHeading(p.usageMessage().exitCodeListHeading())
            .exitCodeList(p.usageMessage().exitCodeList());
      }
      if (s.usageMessage().footer().length == 0) {
        s.usageMessage().footer(p.usageMessage().footer());
      }
      inheritExitCodes(sub);
    }
  }

  /**
   * Picocli parses {@code klio frobnicate --help} as a help request with an unmatched argument and
   * prints the help; an unknown command is an error whatever follows it.
   */
  private static int rejectUnmatched(ParseResult parsed) {
    for (ParseResult r = parsed; r != null; r = r.subcommand()) {
      if (!r.unmatched().isEmpty()) {
        throw new UnmatchedArgumentException(r.commandSpec().commandLine(), r.unmatched());
      }
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  /** An unknown command: says which, lists the known ones, and exits with a usage error. */
  private static int unknownCommand(
      ParameterException e, String[] args, CommandLine.IParameterExceptionHandler usual)
      throws Exception {
    CommandLine cmd = e.getCommandLine();
    Map<String, CommandLine> known = cmd.getSubcommands();
    if (e instanceof UnmatchedArgumentException u && !known.isEmpty()) {
      List<String> unmatched = u.getUnmatched();
      if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr()
            .println(
                name
                    + ": unknown command '"
                    + unmatched.get(0)
                    + "'; the commands are: "
                    + String.join(", ", known.keySet())
                    + " (see '"
                    + name
                    + " --help')");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
      }
    }
    return usual.handleParseException(e, args);
  }
}
