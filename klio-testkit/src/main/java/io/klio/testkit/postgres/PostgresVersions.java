package io.klio.testkit.postgres;

import java.util.Arrays;
import java.util.List;

/**
 * The PostgreSQL majors a test run covers: the system property {@code klio.it.pgVersions}
 * (comma-separated, set by the build: {@code 15,18} by default, all of 15 to 18 with {@code
 * -Pall-postgres}). Use as
 * {@code @MethodSource("io.klio.testkit.postgres.PostgresVersions#enabled")}.
 */
public final class PostgresVersions {

  private PostgresVersions() {}

  public static List<Integer> enabled() {
    String spec = System.getProperty("klio.it.pgVersions", "15,18");
    return Arrays.stream(spec.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(Integer::valueOf)
        .toList();
  }
}
