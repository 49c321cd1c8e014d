package io.klio.server.quickstart;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The quickstart's last words: the check, what ran where, sizes, the dedup of the second backup,
 * the time of each step, and how to go on with the kept files.
 */
final class Summary {

  /** Everything a finished run knows. */
  record Run(
      double seconds,
      String check,
      Path launcher,
      WorkDir dir,
      boolean keep,
      PostgresInstall install,
      OsUser user,
      KlioFiles files,
      LocalPostgres primary,
      LocalPostgres restored,
      long tier1Bytes,
      long restoredBytes,
      BackupReport first,
      BackupReport second,
      String targetTime,
      String restoredFrom,
      List<Steps.Timing> timings) {}

  private Summary() {}

  static void print(PrintStream out, Run r) {
    out.println();
    out.printf(Locale.ROOT, "klio quickstart: done in %.1f s%n", r.seconds());
    out.println("check: ok, " + r.check());
    row(
        out,
        "PostgreSQL " + r.install().version(),
        r.install().origin()
            + " in "
            + r.install().bin()
            + (r.user().switched() ? ", run as OS user " + r.user() : ""));
    row(out, "  the cluster", "127.0.0.1:" + r.primary().port() + ", " + r.primary().data());
    row(
        out,
        "  the restored one",
        "127.0.0.1:"
            + r.restored().port()
            + ", "
            + r.restored().data()
            + " ("
            + size(r.restoredBytes())
            + " with the WAL it replayed)");
    row(
        out,
        "Klio server",
        "127.0.0.1:"
            + r.files().grpcPort()
            + " (gRPC), 127.0.0.1:"
            + r.files().walSocketPort()
            + " (WAL socket), "
            + r.files().serverHttp()
            + "/metrics");
    row(
        out,
        "  Tier 1",
        r.files().tier1()
            + ", "
            + size(r.tier1Bytes())
            + ", encrypted (key "
            + r.files().kek()
            + ")");
    row(out, "send-wal", "synchronous: each commit returned once its WAL was on the Klio server");
    BackupReport a = r.first();
    BackupReport b = r.second();
    row(out, "backup 1", backup(a));
    row(out, "backup 2", backup(b));
    row(
        out,
        "  dedup",
        String.format(
            Locale.ROOT,
            "the second backup added %s, %.1f%% of the first one's %s of data",
            size(b.newBytes()),
            a.dataBytes() == 0 ? 0.0 : 100.0 * b.newBytes() / a.dataBytes(),
            size(a.dataBytes())));
    row(
        out,
        "restore",
        "to "
            + r.targetTime()
            + ": backup "
            + r.restoredFrom()
            + (r.restoredFrom().equals(a.id()) ? " (the first)" : "")
            + " and the WAL after it");
    row(
        out,
        "times",
        r.timings().stream()
            .map(t -> String.format(Locale.ROOT, "%s %.1f s", t.name(), t.seconds()))
            .collect(Collectors.joining(", ")));
    out.println();
    if (r.keep()) {
      keepUsing(out, r);
    } else {
      out.println(
          "Everything is stopped and "
              + r.dir()
              + " is removed; klio quickstart --keep keeps it"
              + " and prints how to go on with it.");
    }
    out.flush();
  }

  private static void keepUsing(PrintStream out, Run r) {
    String klio = r.launcher().toString();
    String client = r.files().clientYaml().toString();
    String as = r.user().switched() ? "runuser -u " + r.user() + " -- " : "";
    out.println("Everything is stopped; the files are kept in " + r.dir() + ". To go on:");
    out.println("  " + klio + " server start --config " + r.files().serverYaml());
    out.println("  " + as + klio + " send-wal --config " + client);
    out.println(
        "  "
            + as
            + r.install().bin().resolve("pg_ctl")
            + " -D "
            + r.primary().data()
            + " -l "
            + r.primary().log()
            + " start");
    out.println("      (synchronous_standby_names = 'klio': its commits wait for send-wal)");
    out.println(
        "  PGPASSFILE="
            + r.files().pgpass()
            + " psql -h 127.0.0.1 -p "
            + r.primary().port()
            + " -U postgres postgres");
    out.println("  " + as + klio + " backup --config " + client);
    out.println("  " + as + klio + " backup list --config " + client);
    out.println(
        "  "
            + as
            + klio
            + " restore --config "
            + client
            + " --pgdata NEW_DIR --target-time '"
            + r.targetTime()
            + "'");
    out.println("  rm -rf " + r.dir() + "   removes it all");
  }

  private static String backup(BackupReport b) {
    return String.format(
        Locale.ROOT,
        "%s: %s of data in %d files, %s new, stored as %s (compressed, encrypted), %.1f s",
        b.id(),
        size(b.dataBytes()),
        b.fileCount(),
        size(b.newBytes()),
        size(b.storedBytes()),
        b.seconds());
  }

  private static void row(PrintStream out, String what, String text) {
    out.printf(Locale.ROOT, "  %-18s %s%n", what, text);
  }

  /** {@code bytes} for people: KiB, MiB or GiB with one decimal. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** The bytes of the regular files under {@code dir}. */
  static long sizeOf(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // gone meanwhile
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
