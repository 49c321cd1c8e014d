package io.klio.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Writes the configuration files of a test cluster. */
final class ClusterFiles {

  static final String TEST_CONF = "klio-test.conf";

  private ClusterFiles() {}

  /** Every connection uses {@code method}; the {@code rejected} role is always refused. */
  static void writeHba(Path data, AuthMethod method) {
    String m = method.hbaMethod;
    String hba =
        String.join(
            "\n",
            "# written by the klio test fixture",
            "local all " + PostgresServer.REJECTED_USER + " reject",
            "local replication " + PostgresServer.REJECTED_USER + " reject",
            "host all " + PostgresServer.REJECTED_USER + " 127.0.0.1/32 reject",
            "host replication " + PostgresServer.REJECTED_USER + " 127.0.0.1/32 reject",
            "local all all " + m,
            "local replication all " + m,
            "host all all 127.0.0.1/32 " + m,
            "host replication all 127.0.0.1/32 " + m,
            "host all all ::1/128 " + m,
            "host replication all ::1/128 " + m,
            "");
    write(data.resolve("pg_hba.conf"), hba, false);
  }

  static void includeTestConf(Path data) {
    write(data.resolve("postgresql.conf"), "\ninclude '" + TEST_CONF + "'\n", true);
  }

  static void writeTestConf(Path data, Map<String, String> settings) {
    StringBuilder sb = new StringBuilder("# written by the klio test fixture\n");
    settings.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
    write(data.resolve(TEST_CONF), sb.toString(), false);
  }

  static void appendConf(Path data, Map<String, String> settings) {
    StringBuilder sb = new StringBuilder();
    settings.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
    write(data.resolve(TEST_CONF), sb.toString(), true);
  }

  private static void write(Path file, String text, boolean append) {
    try {
      if (append) {
        Files.writeString(file, text, StandardOpenOption.APPEND);
      } else {
        Files.writeString(file, text);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
