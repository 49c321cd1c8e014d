package io.klio.server.config;

import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code server.yaml}, as written (every field documented in docs/configuration.md). {@link
 * #resolve} checks it and applies the defaults.
 */
public record ServerConfig(
    String listen,
    Tier1 tier1,
    Tier2 tier2,
    Tls tls,
    List<String> admins,
    Wal wal,
    Encryption encryption,
    Backup backup,
    Http http,
    Log log) {

  public record Tier1(String path) {}

  /** Tier 2 as written: a store URI and how the relay fills it. */
  public record Tier2(
      String uri, Integer parallelism, String bandwidth, Integer tier1UsageWarning) {}

  public record Tls(String certificate, String key, String clientCa, Boolean insecure) {}

  public record Wal(String compression, String flushInterval, String socketListen) {}

  public record Encryption(String kek) {}

  public record Backup(String walTimeout) {}

  public record Http(String listen) {}

  public record Log(String format, String level) {}

  /** The checked configuration. */
  public record Resolved(
      InetSocketAddress listen,
      Path tier1,
      Optional<Tier2Settings> tier2,
      Optional<TlsFiles> tls,
      List<String> admins,
      Codec compression,
      Duration flushInterval,
      Optional<InetSocketAddress> walSocket,
      Optional<String> kek,
      Duration backupWalTimeout,
      Optional<InetSocketAddress> http,
      Logging.Format logFormat,
      String logLevel) {}

  /**
   * Tier 2, checked: the store's URI (opened by its provider), how many objects the relay copies at
   * once, its bandwidth in bytes per second (0: unlimited), and the Tier 1 usage (percent of the
   * volume) above which the server warns that Tier 1 is filling while objects wait for Tier 2.
   */
  public record Tier2Settings(
      String uri, int parallelism, long bandwidthBytesPerSecond, int tier1UsageWarningPercent) {}

  /** Server certificate, key and the CA that issues client certificates. */
  public record TlsFiles(Path certificate, Path key, Path clientCa) {}

  public static Resolved load(Path file) throws ConfigException {
    ServerConfig c = Yaml.read(file, ServerConfig.class);
    try {
      return c.resolve();
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage(), e);
    }
  }

  public Resolved resolve() throws ConfigException {
    InetSocketAddress addr = Yaml.address("listen", listen == null ? "127.0.0.1:7433" : listen);
    if (tier1 == null || tier1.path() == null || tier1.path().isBlank()) {
      throw new ConfigException("field 'tier1.path' is required (the Tier 1 directory)");
    }
    Optional<Tier2Settings> tier2Settings = tier2Settings(tier2);
    Optional<TlsFiles> tlsFiles;
    if (tls != null && Boolean.TRUE.equals(tls.insecure())) {
      if (tls.certificate() != null || tls.key() != null || tls.clientCa() != null) {
        throw new ConfigException(
            "field 'tls.insecure' is true but certificates are configured too; choose one");
      }
      tlsFiles = Optional.empty();
    } else {
      if (tls == null) {
        throw new ConfigException(
            "section 'tls' is required (certificate, key, clientCa), or tls.insecure: true for"
                + " local development");
      }
      tlsFiles =
          Optional.of(
              new TlsFiles(
                  Yaml.readableFile("tls.certificate", tls.certificate()),
                  Yaml.readableFile("tls.key", tls.key()),
                  Yaml.readableFile("tls.clientCa", tls.clientCa())));
    }
    Codec codec;
    String spec = wal == null || wal.compression() == null ? "zstd:3" : wal.compression();
    try {
      codec = Codecs.byName(spec);
    } catch (PermanentException e) {
      throw new ConfigException("field 'wal.compression': " + e.getMessage());
    }
    Duration flush =
        Yaml.duration(
            "wal.flushInterval",
            wal == null || wal.flushInterval() == null ? "200ms" : wal.flushInterval());
    if (flush.isZero()) {
      throw new ConfigException("field 'wal.flushInterval' must be more than 0");
    }
    Optional<InetSocketAddress> walSocket =
        wal == null || wal.socketListen() == null || wal.socketListen().isBlank()
            ? Optional.empty()
            : Optional.of(Yaml.address("wal.socketListen", wal.socketListen()));
    Optional<InetSocketAddress> httpAddr =
        http == null || http.listen() == null
            ? Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", 9187))
            : http.listen().isBlank()
                ? Optional.empty()
                : Optional.of(Yaml.address("http.listen", http.listen()));
    Optional<String> kekSpec =
        encryption == null || encryption.kek() == null || encryption.kek().isBlank()
            ? Optional.empty()
            : Optional.of(encryption.kek());
    Duration backupWalTimeout =
        Yaml.duration(
            "backup.walTimeout",
            backup == null || backup.walTimeout() == null ? "10m" : backup.walTimeout());
    if (backupWalTimeout.isZero()) {
      throw new ConfigException("field 'backup.walTimeout' must be more than 0");
    }
    return new Resolved(
        addr,
        Path.of(tier1.path()),
        tier2Settings,
        tlsFiles,
        admins == null ? List.of() : List.copyOf(admins),
        codec,
        flush,
        walSocket,
        kekSpec,
        backupWalTimeout,
        httpAddr,
        Yaml.logFormat("log.format", log == null ? null : log.format()),
        log == null || log.level() == null ? "info" : log.level());
  }

  private static Optional<Tier2Settings> tier2Settings(Tier2 t) throws ConfigException {
    if (t == null) {
      return Optional.empty();
    }
    if (t.uri() == null || t.uri().isBlank()) {
      throw new ConfigException(
          "field 'tier2.uri' is required when section 'tier2' is present (for example"
              + " s3://bucket/prefix?region=eu-west-1 or azure://account/container/prefix)");
    }
    int parallelism = t.parallelism() == null ? 4 : t.parallelism();
    if (parallelism < 1 || parallelism > 64) {
      throw new ConfigException(
          "field 'tier2.parallelism' must be 1 to 64 (objects copied at once), not " + parallelism);
    }
    long bandwidth =
        t.bandwidth() == null || t.bandwidth().isBlank()
            ? 0
            : Yaml.bytesPerSecond("tier2.bandwidth", t.bandwidth());
    int warn = t.tier1UsageWarning() == null ? 85 : t.tier1UsageWarning();
    if (warn < 1 || warn > 99) {
      throw new ConfigException(
          "field 'tier2.tier1UsageWarning' must be a percentage from 1 to 99, not " + warn);
    }
    return Optional.of(new Tier2Settings(t.uri().trim(), parallelism, bandwidth, warn));
  }
}
