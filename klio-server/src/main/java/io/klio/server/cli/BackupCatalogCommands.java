package io.klio.server.cli;

import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.VerifyProgress;
import io.klio.client.VerifyOutcome;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code klio backup list | show ID | verify ID | delete ID}: the catalog of committed backups. */
final class BackupCatalogCommands {

  private BackupCatalogCommands() {}

  /** What a catalog command does with the connection; prints its result. */
  @FunctionalInterface
  interface Action {
    void run(BackupCommand.Session s) throws IOException;
  }

  static int run(String command, BackupCommand.Common common, Action action) {
    BackupCommand.Session s = BackupCommand.open(command, common);
    if (s == null) {
      return BackupCommand.INVALID;
    }
    try (s) {
      action.run(s);
      return 0;
    } catch (IOException e) {
      return BackupCommand.failure(command, s.server(), e);
    }
  }

  static void print(BackupCommand.Common common, Object json, String text) {
    System.out.print(
        common.output == BackupOutput.Format.JSON ? BackupOutput.json(json) + "\n" : text);
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the cluster's committed backups, oldest first.")
  static final class ListCommand implements Callable<Integer> {
    @Mixin BackupCommand.Common common;

    @Override
    public Integer call() {
      return run(
          "klio backup list",
          common,
          s -> {
            List<BackupSummary> all = s.server().backups().list();
            print(
                common, all.stream().map(BackupOutput::summary).toList(), BackupOutput.table(all));
          });
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows one backup's summary.")
  static final class ShowCommand implements Callable<Integer> {
    @Mixin BackupCommand.Common common;

    @Parameters(index = "0", paramLabel = "ID", description = "the backup's id")
    String id;

    @Override
    public Integer call() {
      return run(
          "klio backup show",
          common,
          s -> {
            BackupSummary b = s.server().backups().get(id);
            print(common, BackupOutput.summary(b), BackupOutput.showText(b));
          });
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Removes a backup from the catalog (garbage collection reclaims its chunks later).")
  static final class DeleteCommand implements Callable<Integer> {
    @Mixin BackupCommand.Common common;

    @Parameters(index = "0", paramLabel = "ID", description = "the backup's id")
    String id;

    @Option(
        names = "--force",
        description = "also when it is the only backup the WAL archive can be restored from")
    boolean force;

    @Override
    public Integer call() {
      return run(
          "klio backup delete",
          common,
          s -> {
            BackupSummary b = s.server().backups().delete(id, force);
            print(common, BackupOutput.summary(b), "deleted backup " + b.getBackupId() + "\n");
          });
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Has the server re-read every chunk of a backup and check it against the manifest.",
      exitCodeListHeading = KlioCommand.EXIT_HEADING,
      exitCodeList = {
        "0:every chunk and file of the backup checked out",
        BackupCommand.FAILED + ":failed: no such backup, refused by the server",
        BackupCommand.INVALID + ":invalid configuration; usage error",
        BackupCommand.UNREACHABLE + ":the Klio server could not be reached or went away",
        VerifyCommand.CORRUPT
            + ":corruption found: each bad chunk is named with its file, offset and pack"
      })
  static final class VerifyCommand implements Callable<Integer> {
    static final int CORRUPT = 4;

    @Mixin BackupCommand.Common common;

    @Parameters(index = "0", paramLabel = "ID", description = "the backup's id")
    String id;

    @Override
    public Integer call() {
      boolean[] corrupt = new boolean[1];
      int status =
          run(
              "klio backup verify",
              common,
              s -> {
                Consumer<VerifyProgress> progress =
                    System.console() == null ? p -> {} : BackupCatalogCommands::showProgress;
                VerifyOutcome v = s.server().backups().verify(id, progress);
                if (System.console() != null) {
                  System.err.println();
                }
                corrupt[0] = !v.ok();
                print(common, BackupOutput.verify(id, v), BackupOutput.verifyText(id, v));
              });
      return status == 0 && corrupt[0] ? CORRUPT : status;
    }
  }

  private static void showProgress(VerifyProgress p) {
    System.err.print(
        String.format(
            Locale.ROOT,
            "\rverified %s of %s, %d of %d files   ",
            BackupOutput.bytes(p.getBytesChecked()),
            BackupOutput.bytes(p.getBytesTotal()),
            p.getFilesChecked(),
            p.getFilesTotal()));
    System.err.flush();
  }
}
