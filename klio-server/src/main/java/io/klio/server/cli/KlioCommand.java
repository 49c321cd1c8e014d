package io.klio.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code klio}: the top-level command. Its subcommands arrive with their features. */
@Command(
    name = "klio",
    mixinStandardHelpOptions = true,
    versionProvider = KlioVersion.class,
    description = {
      "Backs up and recovers PostgreSQL 15 and newer.",
      "WAL streaming, deduplicated base backups, a local Tier 1 and object storage as Tier 2.",
      ""
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:help or version printed",
      Main.USAGE + ":usage error (no command, an unknown command or option)"
    },
    footer = {"", "Documentation: docs/cli.md and docs/configuration.md in the Klio repository."},
    subcommands = {
      QuickstartCommand.class,
      ServerCommand.class,
      SendWalCommand.class,
      GetWalCommand.class,
      RestoreCommand.class,
      ReceiveWalCommand.class,
      KeysCommand.class,
      TlsCommand.class,
      BackupCommand.class,
      PluginCommand.class,
      picocli.CommandLine.HelpCommand.class
    })
public final class KlioCommand implements Runnable {

  /** The heading of every command's list of exit statuses. */
  static final String EXIT_HEADING = "%nExit status:%n";

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is required; see klio --help");
  }
}
