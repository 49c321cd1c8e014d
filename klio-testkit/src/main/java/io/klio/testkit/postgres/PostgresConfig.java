package io.klio.testkit.postgres;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to make a test server: the major version, the authentication method, whether TLS is on, the
 * WAL segment size and any extra {@code postgresql.conf} settings. Immutable; each {@code with…}
 * method returns a copy.
 */
public record PostgresConfig(
    int major, AuthMethod auth, boolean tls, int walSegmentSizeMb, Map<String, String> settings) {

  public PostgresConfig {
    if (major < 15 || major > 18) {
      throw new IllegalArgumentException("PostgreSQL " + major + " is not supported; use 15 to 18");
    }
    settings = Map.copyOf(settings);
  }

  /** A server of this major version with SCRAM authentication, no TLS, 16 MB segments. */
  public static PostgresConfig of(int major) {
    return new PostgresConfig(major, AuthMethod.SCRAM_SHA_256, false, 16, Map.of());
  }

  public PostgresConfig withAuth(AuthMethod method) {
    return new PostgresConfig(major, method, tls, walSegmentSizeMb, settings);
  }

  /** TLS on, with a certificate from a CA made for this server ({@link PostgresServer#tls()}). */
  public PostgresConfig withTls() {
    return new PostgresConfig(major, auth, true, walSegmentSizeMb, settings);
  }

  public PostgresConfig withWalSegmentSizeMb(int mb) {
    return new PostgresConfig(major, auth, tls, mb, settings);
  }

  /** Adds a {@code postgresql.conf} setting (the value is written as given, quote strings). */
  public PostgresConfig with(String name, String value) {
    Map<String, String> s = new LinkedHashMap<>(settings);
    s.put(name, value);
    return new PostgresConfig(major, auth, tls, walSegmentSizeMb, s);
  }
}
