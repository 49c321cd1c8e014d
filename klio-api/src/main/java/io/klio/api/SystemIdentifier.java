package io.klio.api;

/**
 * The unique identifier PostgreSQL gives a cluster at initdb time (an unsigned 64-bit number,
 * printed in decimal by {@code IDENTIFY_SYSTEM} and {@code pg_control_system()}). WAL from a
 * cluster with another identifier must never be mixed into an archive.
 */
public record SystemIdentifier(long value) {

  /**
   * Parses the unsigned decimal form.
   *
   * @throws IllegalArgumentException naming the text when it is not an unsigned 64-bit number
   */
  public static SystemIdentifier parse(String decimal) {
    try {
      return new SystemIdentifier(Long.parseUnsignedLong(decimal.trim()));
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException(
          "not a system identifier: '" + decimal + "'; expected an unsigned decimal number", e);
    }
  }

  /** Unsigned decimal, as PostgreSQL prints it. */
  @Override
  public String toString() {
    return Long.toUnsignedString(value);
  }
}
