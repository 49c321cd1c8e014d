package io.klio.server.cli;

import java.nio.file.Path;

/**
 * The {@code restore_command} that {@code klio restore} writes: a one-line POSIX shell command that
 * starts no JVM when the WAL file PostgreSQL asks for waits in the prefetch spool, and runs {@code
 * klio get-wal --prefetch} otherwise:
 *
 * <pre>{@code
 * mv -f 'pg_wal/klio-prefetch'/"%f" "%p" 2>/dev/null || exec '/opt/klio/klio' get-wal --config '/etc/klio/client.yaml' --prefetch 'pg_wal/klio-prefetch' "%f" "%p"
 * }</pre>
 *
 * <p>The {@code mv} is a rename within one file system (the spool is inside {@code pg_wal}, where
 * {@code %p} is), so PostgreSQL gets the whole prefetched segment or, when it is not there (or the
 * prefetcher just deleted it), get-wal's answer with get-wal's exit statuses: a history file, a
 * {@code .partial}, a segment that is not archived (exit 1) always come from get-wal, which also
 * starts the prefetcher (docs/cli.md, {@code klio get-wal}).
 *
 * <p>Stateless; thread-safe.
 */
public final class RestoreCommandLine {

  /**
   * The spool {@code klio restore} uses: relative, so inside the data directory (PostgreSQL runs
   * {@code restore_command} there), in {@code pg_wal}, which is on the file system of {@code %p}
   * even when {@code pg_wal} is a link to another one; PostgreSQL, {@code pg_basebackup}, a backup
   * by Klio and {@code pg_verifybackup} leave a directory inside {@code pg_wal} alone.
   */
  public static final Path DEFAULT_SPOOL = Path.of("pg_wal", "klio-prefetch");

  private RestoreCommandLine() {}

  /**
   * Prints {@link #restoreCommand} for {@code LAUNCHER CLIENT-CONFIG [SPOOL]} (SPOOL defaults to
   * {@link #DEFAULT_SPOOL}): for scripts such as bench/restore-command.sh. Exit 2 on bad arguments.
   */
  public static void main(String[] args) {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: RestoreCommandLine LAUNCHER CLIENT-CONFIG [SPOOL]");
      System.exit(2);
    }
    try {
      System.out.println(
          restoreCommand(
              Path.of(args[0]),
              Path.of(args[1]),
              args.length == 3 ? Path.of(args[2]) : DEFAULT_SPOOL));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  /**
   * The value of {@code restore_command} (before the quoting of a configuration file: see {@link
   * #setting}).
   *
   * @param launcher the {@code klio} command to run on a miss, absolute (such as the {@code ./klio}
   *     launcher of a source tree, or {@code /usr/bin/klio})
   * @param clientConfig the client.yaml get-wal and the prefetcher read, absolute
   * @param spool the prefetch spool; relative paths are relative to the data directory ({@link
   *     #DEFAULT_SPOOL} is what {@code klio restore} should pass)
   * @throws IllegalArgumentException when {@code launcher} or {@code clientConfig} is relative, or
   *     a path holds a control character (a line break cannot be written in postgresql.conf)
   */
  public static String restoreCommand(Path launcher, Path clientConfig, Path spool) {
    if (!launcher.isAbsolute() || !clientConfig.isAbsolute()) {
      throw new IllegalArgumentException(
          "the launcher and the client configuration must be absolute paths, not "
              + launcher
              + " and "
              + clientConfig);
    }
    String s = word(spool);
    return "mv -f "
        + s
        + "/\"%f\" \"%p\" 2>/dev/null || exec "
        + word(launcher)
        + " get-wal --config "
        + word(clientConfig)
        + " --prefetch "
        + s
        + " \"%f\" \"%p\"";
  }

  /**
   * The line {@code restore_command = '…'} for postgresql.auto.conf (or postgresql.conf): {@link
   * #restoreCommand} as a configuration string, each {@code '} doubled.
   */
  public static String setting(Path launcher, Path clientConfig, Path spool) {
    return "restore_command = '"
        + restoreCommand(launcher, clientConfig, spool).replace("'", "''")
        + "'";
  }

  /**
   * One shell word for {@code path}, safe inside restore_command: single-quoted for the shell (a
   * {@code '} as {@code '\''}), each {@code %} doubled (PostgreSQL turns {@code %%} into {@code %}
   * and would take {@code %f}, {@code %p} or {@code %r} in a path for its own).
   */
  static String word(Path path) {
    String p = path.toString();
    if (p.isEmpty()) {
      throw new IllegalArgumentException("an empty path");
    }
    for (int i = 0; i < p.length(); i++) {
      if (Character.isISOControl(p.charAt(i))) {
        throw new IllegalArgumentException(
            "a path with a control character cannot be used in restore_command: "
                + p.replaceAll("\\p{Cntrl}", "?"));
      }
    }
    return "'" + p.replace("'", "'\\''").replace("%", "%%") + "'";
  }
}
