package io.klio.server.config;

import io.klio.api.ClusterName;
import io.klio.client.KlioClientOptions;
import io.klio.client.ServerAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code client.yaml}, read by send-wal, get-wal and backup (every field documented in
 * docs/configuration.md). {@link #resolve} checks it and applies the defaults: what reaches the
 * server becomes the client library's {@link KlioClientOptions}, the rest is the commands' own.
 */
public record ClientConfig(
    String cluster,
    String server,
    Tls tls,
    Postgres postgres,
    String compression,
    SendWal sendWal,
    GetWal getWal,
    Backup backup,
    Log log) {

  public record Tls(
      String certificate, String key, String ca, String serverName, Boolean insecure) {}

  public record Postgres(
      String connection,
      String slot,
      Boolean createSlot,
      Boolean synchronous,
      String statusInterval) {}

  /** send-wal's own: where it answers {@code /livez} and {@code /readyz} (off when absent). */
  public record SendWal(String healthListen) {}

  public record GetWal(String spool, Integer prefetch, String timeout) {}

  /** {@code klio backup}'s own. */
  public record Backup(
      String pgdata, Integer jobs, String label, Boolean fast, String walTimeout) {}

  public record Log(String format, String level) {}

  /**
   * {@code backup:} with its defaults.
   *
   * @param pgdata the data directory; required to take a backup (not for the catalog commands)
   * @param walTimeout empty: the server's {@code backup.walTimeout}
   */
  public record BackupSettings(
      Optional<Path> pgdata, int jobs, String label, boolean fast, Optional<Duration> walTimeout) {}

  /**
   * @param client how to reach the server (cluster, server, tls, compression, synchronous)
   * @param connection the rest is send-wal's ({@code postgres.*}) and get-wal's ({@code getWal.*})
   * @param prefetch how many segments get-wal fetches after the one asked for ({@code
   *     getWal.prefetch}, default 4)
   * @param prefetchAhead how many segments the prefetcher of {@code get-wal --prefetch} keeps ahead
   *     ({@code getWal.prefetch}, default {@value #DEFAULT_PREFETCH_AHEAD})
   */
  public record Resolved(
      KlioClientOptions client,
      String connection,
      String slot,
      boolean createSlot,
      Duration statusInterval,
      Optional<InetSocketAddress> healthListen,
      Optional<Path> spool,
      int prefetch,
      int prefetchAhead,
      Duration getWalTimeout,
      BackupSettings backup,
      Logging.Format logFormat,
      String logLevel) {}

  /** {@code getWal.prefetch} of the prefetcher ({@code get-wal --prefetch}) when not set. */
  public static final int DEFAULT_PREFETCH_AHEAD = 16;

  public static Resolved load(Path file) throws ConfigException {
    ClientConfig c = Yaml.read(file, ClientConfig.class);
    try {
      return c.resolve();
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The configuration of a client command ({@code klio get-wal}, {@code klio restore} …): loaded,
   * with logging configured from it; empty when it cannot be used, after saying why on stderr
   * ({@code "<command>: invalid configuration: <file>: <what>"}), so that the command exits with
   * its invalid-configuration status.
   */
  public static Optional<Resolved> loadForCommand(Path file, String command) {
    Resolved c;
    try {
      c = load(file);
    } catch (ConfigException e) {
      System.err.println(command + ": invalid configuration: " + e.getMessage());
      return Optional.empty();
    }
    Logging.configure(c.logFormat(), c.logLevel());
    return Optional.of(c);
  }

  public Resolved resolve() throws ConfigException {
    if (cluster == null || cluster.isBlank()) {
      throw new ConfigException(
          "field 'cluster' is required (the name this cluster is archived under)");
    }
    ClusterName name;
    try {
      name = ClusterName.of(cluster);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("field 'cluster': " + e.getMessage());
    }
    if (server == null) {
      throw new ConfigException("field 'server' is required (host:port of the Klio server)");
    }
    ServerAddress addr = Yaml.hostPort("server", server);
    Optional<KlioClientOptions.Tls> tlsFiles;
    if (tls != null && Boolean.TRUE.equals(tls.insecure())) {
      tlsFiles = Optional.empty();
    } else {
      if (tls == null) {
        throw new ConfigException(
            "section 'tls' is required (certificate, key, ca), or tls.insecure: true for local"
                + " development");
      }
      tlsFiles =
          Optional.of(
              new KlioClientOptions.Tls(
                  Yaml.readableFile("tls.certificate", tls.certificate()),
                  Yaml.readableFile("tls.key", tls.key()),
                  Yaml.readableFile("tls.ca", tls.ca()),
                  Optional.ofNullable(tls.serverName())));
    }
    Postgres pg = postgres == null ? new Postgres(null, null, null, null, null) : postgres;
    GetWal gw = getWal == null ? new GetWal(null, null, null) : getWal;
    if (gw.prefetch() != null && (gw.prefetch() < 0 || gw.prefetch() > 64)) {
      throw new ConfigException(
          "field 'getWal.prefetch' must be within 0..64, not " + gw.prefetch());
    }
    KlioClientOptions client =
        new KlioClientOptions(
            name,
            addr,
            tlsFiles,
            Boolean.TRUE.equals(pg.synchronous()),
            zstdLevel(compression == null ? "zstd:1" : compression),
            KlioClientOptions.DEFAULT_ACKNOWLEDGEMENT_TIMEOUT,
            KlioClientOptions.DEFAULT_CALL_TIMEOUT);
    return new Resolved(
        client,
        pg.connection() == null ? "" : pg.connection(),
        pg.slot() == null ? "klio" : pg.slot(),
        pg.createSlot() == null || pg.createSlot(),
        Yaml.duration(
            "postgres.statusInterval", pg.statusInterval() == null ? "10s" : pg.statusInterval()),
        sendWal == null || sendWal.healthListen() == null || sendWal.healthListen().isEmpty()
            ? Optional.empty()
            : Optional.of(Yaml.address("sendWal.healthListen", sendWal.healthListen())),
        Optional.ofNullable(gw.spool()).map(Path::of),
        gw.prefetch() == null ? 4 : gw.prefetch(),
        gw.prefetch() == null ? DEFAULT_PREFETCH_AHEAD : gw.prefetch(),
        Yaml.duration("getWal.timeout", gw.timeout() == null ? "60s" : gw.timeout()),
        backupSettings(backup == null ? new Backup(null, null, null, null, null) : backup),
        Yaml.logFormat("log.format", log == null ? null : log.format()),
        log == null || log.level() == null ? "info" : log.level());
  }

  private static BackupSettings backupSettings(Backup b) throws ConfigException {
    int jobs =
        b.jobs() == null ? Math.min(64, Runtime.getRuntime().availableProcessors()) : b.jobs();
    if (jobs < 1 || jobs > 64) {
      throw new ConfigException("field 'backup.jobs' must be within 1..64, not " + jobs);
    }
    String label = b.label() == null ? io.klio.client.BackupOptions.DEFAULT_LABEL : b.label();
    if (label.isEmpty()
        || label.chars().anyMatch(ch -> ch == '\n' || ch == '\r' || ch == 0)
        || label.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1023) {
      throw new ConfigException(
          "field 'backup.label' must be 1 to 1023 bytes without line breaks, not '" + label + "'");
    }
    Optional<Duration> walTimeout = Optional.empty();
    if (b.walTimeout() != null) {
      Duration d = Yaml.duration("backup.walTimeout", b.walTimeout());
      if (d.toSeconds() < 1 || d.toSeconds() > 86_400) {
        throw new ConfigException(
            "field 'backup.walTimeout' must be within 1s..24h, not " + b.walTimeout());
      }
      walTimeout = Optional.of(d);
    }
    if (b.pgdata() != null && b.pgdata().isBlank()) {
      throw new ConfigException("field 'backup.pgdata' is empty");
    }
    return new BackupSettings(
        Optional.ofNullable(b.pgdata()).map(Path::of),
        jobs,
        label,
        b.fast() == null || b.fast(),
        walTimeout);
  }

  /** {@code none}, {@code zstd} or {@code zstd:<level>}: the zstd level, 0 for none. */
  private static int zstdLevel(String spec) throws ConfigException {
    if (spec.equals("none")) {
      return 0;
    }
    String level = spec.equals("zstd") ? "1" : spec.startsWith("zstd:") ? spec.substring(5) : null;
    try {
      int l = level == null ? -1 : Integer.parseInt(level);
      if (l >= 1 && l <= 19) {
        return l;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        "field 'compression' must be none, zstd or zstd:<level 1-19>, not '" + spec + "'");
  }
}
