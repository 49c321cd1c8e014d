package io.klio.server.cli;

import io.klio.api.error.RetryableException;
import io.klio.client.BackupClient;
import io.klio.client.BackupListener;
import io.klio.client.BackupOptions;
import io.klio.client.BackupOutcome;
import io.klio.client.KlioConnection;
import io.klio.server.config.ClientConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code klio backup}: takes an online base backup ({@link BackupClient#backup}) of the PostgreSQL
 * next to it; {@code list}, {@code show}, {@code verify} and {@code delete} work on the catalog.
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Takes an online base backup of the PostgreSQL next to it into the Klio server.",
      "Reads backup.pgdata and every tablespace between pg_backup_start and pg_backup_stop,"
          + " sends only the chunks the server lacks, and returns once the server holds the WAL"
          + " that makes the backup restorable and has committed it. Without a subcommand (or"
          + " with run) it takes a backup; list, show, verify and delete work on the catalog."
          + " Progress goes to stderr on a terminal; the summary (or with --output json one JSON"
          + " object) to stdout."
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:done (the backup is committed; the catalog command succeeded)",
      BackupCommand.FAILED
          + ":failed: refused by the server or PostgreSQL, a backup that cannot become restorable"
          + " (its WAL did not reach the server in time), no such backup, deleting the only"
          + " restorable backup without --force; nothing is in the catalog",
      BackupCommand.INVALID + ":invalid configuration (the message names the field); usage error",
      BackupCommand.UNREACHABLE
          + ":the Klio server could not be reached, or went away during the backup; run again"
    },
    subcommands = {
      BackupCommand.Run.class,
      BackupCatalogCommands.ListCommand.class,
      BackupCatalogCommands.ShowCommand.class,
      BackupCatalogCommands.VerifyCommand.class,
      BackupCatalogCommands.DeleteCommand.class
    })
public final class BackupCommand implements Callable<Integer> {

  static final int FAILED = 1;
  static final int INVALID = 2;
  static final int UNREACHABLE = 3;

  @Mixin Common common;
  @Mixin RunOptions run;

  @Override
  public Integer call() throws Exception {
    return takeBackup("klio backup", common, run);
  }

  /** {@code klio backup run}: the same as {@code klio backup}. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Takes a backup, as klio backup without a subcommand does.")
  static final class Run implements Callable<Integer> {
    @Mixin Common common;
    @Mixin RunOptions run;

    @Override
    public Integer call() throws Exception {
      return takeBackup("klio backup run", common, run);
    }
  }

  /** Options every backup command takes. */
  static final class Common {
    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "the client configuration (YAML; required)")
    Path config;

    @Option(
        names = "--output",
        paramLabel = "FORMAT",
        description = "text (the default) or json (one JSON document on stdout)")
    BackupOutput.Format output = BackupOutput.Format.TEXT;
  }

  /** Options of taking a backup; they override client.yaml's backup section. */
  static final class RunOptions {
    @Option(
        names = "--label",
        paramLabel = "LABEL",
        description = "the label for pg_backup_start (default: backup.label, else klio)")
    String label;

    @Option(
        names = "--jobs",
        paramLabel = "N",
        description = "reader threads (default: backup.jobs, else the processors)")
    Integer jobs;
  }

  /** A loaded client.yaml and its connection, or the exit status that ends the command. */
  record Session(ClientConfig.Resolved config, KlioConnection server) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }

  /**
   * Loads {@code --config} and opens the connection; prints why not and returns null (the caller
   * exits {@link #INVALID}).
   */
  static Session open(String command, Common common) {
    if (common.config == null) {
      System.err.println(command + ": --config FILE is required (the client configuration)");
      return null;
    }
    Optional<ClientConfig.Resolved> loaded = ClientConfig.loadForCommand(common.config, command);
    if (loaded.isEmpty()) {
      return null;
    }
    ClientConfig.Resolved c = loaded.get();
    try {
      return new Session(c, KlioConnection.open(c.client()));
    } catch (IOException e) {
      // TLS files that exist but cannot be used
      System.err.println(
          command + ": invalid configuration: " + common.config + ": " + e.getMessage());
      return null;
    }
  }

  /** The exit status of a failure, after saying what failed. */
  static int failure(String command, KlioConnection server, IOException e) {
    if (e instanceof RetryableException) {
      System.err.println(
          command
              + ": the Klio server at "
              + server.options().server()
              + " could not be reached or went away: "
              + e.getMessage());
      return UNREACHABLE;
    }
    System.err.println(command + ": " + e.getMessage());
    return FAILED;
  }

  private static int takeBackup(String command, Common common, RunOptions run) {
    Session s = open(command, common);
    if (s == null) {
      return INVALID;
    }
    try (s) {
      ClientConfig.BackupSettings b = s.config().backup();
      if (b.pgdata().isEmpty()) {
        System.err.println(
            command
                + ": invalid configuration: "
                + common.config
                + ": field 'backup.pgdata' is required to take a backup (the data directory)");
        return INVALID;
      }
      BackupOptions options;
      try {
        options =
            new BackupOptions(
                b.pgdata().get(),
                s.config().connection(),
                run.jobs == null ? b.jobs() : run.jobs,
                run.label == null ? b.label() : run.label,
                b.fast(),
                b.walTimeout());
      } catch (IllegalArgumentException e) {
        System.err.println(command + ": " + e.getMessage());
        return INVALID;
      }
      PrintStream err = System.err;
      BackupProgressView view = System.console() != null ? new BackupProgressView(err) : null;
      BackupListener listener = view != null ? view : BackupListener.NONE;
      Thread self = Thread.currentThread();
      CountDownLatch finished = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                // SIGTERM or SIGINT: abort the backup on the server before the JVM goes
                self.interrupt();
                try {
                  finished.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "klio-backup-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        BackupOutcome o = s.server().backups().backup(options, listener);
        if (view != null) {
          view.done();
        }
        System.out.print(
            common.output == BackupOutput.Format.JSON
                ? BackupOutput.json(BackupOutput.outcome(o)) + "\n"
                : BackupOutput.outcomeText(o));
        return 0;
      } catch (IOException e) {
        if (view != null) {
          view.done();
        }
        return failure(command, s.server(), e);
      } catch (InterruptedException e) {
        System.err.println(command + ": interrupted; the backup was aborted");
        return FAILED;
      } finally {
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running
        }
      }
    }
  }
}
