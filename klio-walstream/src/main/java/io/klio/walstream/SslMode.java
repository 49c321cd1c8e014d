package io.klio.walstream;

import java.util.Locale;

/** libpq's {@code sslmode}: how hard to insist on TLS and how much to verify. */
public enum SslMode {
  /** Never TLS. */
  DISABLE,
  /** TLS when the server offers it, else plain; the certificate is not verified. */
  PREFER,
  /** TLS or fail; the certificate is verified against a CA only when one is configured. */
  REQUIRE,
  /** TLS, and the server certificate must chain to the configured CA. */
  VERIFY_CA,
  /** As {@link #VERIFY_CA}, and the host name must match the certificate. */
  VERIFY_FULL;

  public static SslMode parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid sslmode '"
              + s
              + "'; use disable, prefer, require, verify-ca or verify-full"
              + (s.equalsIgnoreCase("allow")
                  ? " (allow is not supported; prefer is the closest)"
                  : ""),
          e);
    }
  }

  /** True for modes that refuse a plain connection. */
  public boolean requiresTls() {
    return this != DISABLE && this != PREFER;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
