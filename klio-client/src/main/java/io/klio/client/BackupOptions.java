package io.klio.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to take one backup ({@link BackupClient#backup}); {@code client.yaml}'s {@code backup:}
 * section and {@code postgres.connection} map onto it. Immutable; checked when built.
 *
 * @param pgdata the data directory of the PostgreSQL that {@code connection} reaches, read from the
 *     local file system
 * @param connection a libpq connection string (keyword/value or URI; {@code PG*} variables, {@code
 *     .pgpass} and TLS as for send-wal) for a normal session of a superuser, or of a role allowed
 *     to run {@code pg_backup_start} and {@code pg_backup_stop}
 * @param jobs reader threads, each with its own upload call (1 to 64)
 * @param label the label given to {@code pg_backup_start} (at most 1023 bytes, no line break)
 * @param fast whether {@code pg_backup_start} checkpoints at once instead of spreading the
 *     checkpoint's writes
 * @param walTimeout how long the server may wait for the WAL the backup needs; empty for the
 *     server's default ({@code backup.walTimeout} in server.yaml)
 */
public record BackupOptions(
    Path pgdata,
    String connection,
    int jobs,
    String label,
    boolean fast,
    Optional<Duration> walTimeout) {

  /** The default label. */
  public static final String DEFAULT_LABEL = "klio";

  public BackupOptions {
    Objects.requireNonNull(pgdata, "pgdata");
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(walTimeout, "walTimeout");
    if (jobs < 1 || jobs > 64) {
      throw new IllegalArgumentException("jobs must be 1 to 64, not " + jobs);
    }
    if (label.isEmpty()
        || label.indexOf('\n') >= 0
        || label.indexOf('\r') >= 0
        || label.indexOf('\0') >= 0
        || label.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1023) {
      throw new IllegalArgumentException(
          "the label must be 1 to 1023 bytes without line breaks, not '" + label + "'");
    }
    walTimeout.ifPresent(
        d -> {
          if (d.isNegative() || d.isZero() || d.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the WAL timeout must be positive, not " + d);
          }
        });
  }

  /** Options with the defaults: as many jobs as processors, label "klio", a fast checkpoint. */
  public static BackupOptions of(Path pgdata, String connection) {
    return new BackupOptions(
        pgdata,
        connection,
        Math.min(64, Runtime.getRuntime().availableProcessors()),
        DEFAULT_LABEL,
        true,
        Optional.empty());
  }

  public BackupOptions withJobs(int n) {
    return new BackupOptions(pgdata, connection, n, label, fast, walTimeout);
  }

  public BackupOptions withLabel(String l) {
    return new BackupOptions(pgdata, connection, jobs, l, fast, walTimeout);
  }

  public BackupOptions withFast(boolean f) {
    return new BackupOptions(pgdata, connection, jobs, label, f, walTimeout);
  }

  public BackupOptions withWalTimeout(Duration d) {
    return new BackupOptions(pgdata, connection, jobs, label, fast, Optional.of(d));
  }
}
