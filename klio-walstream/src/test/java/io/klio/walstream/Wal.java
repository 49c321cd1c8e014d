package io.klio.walstream;

import io.klio.testkit.postgres.PostgresServer;
import java.util.HashMap;
import java.util.Map;

/** Helpers for tests against a real server. */
final class Wal {

  private Wal() {}

  /** Settings for the replication role over TCP, with its password. */
  static ConnectionSettings tcp(PostgresServer s) {
    return ConnectionStrings.resolve(
        s.connectionString(PostgresServer.REPLICATION_USER) + " sslmode=disable",
        Map.of("password", s.password()),
        Map.of());
  }

  static ConnectionSettings socket(PostgresServer s) {
    Map<String, String> o = new HashMap<>();
    o.put("host", s.socketDirectory().toString());
    o.put("port", Integer.toString(s.port()));
    o.put("user", PostgresServer.REPLICATION_USER);
    o.put("password", s.password());
    o.put("dbname", "postgres");
    return ConnectionStrings.resolve("", o, Map.of());
  }

  /** Writes about {@code segments} segments of WAL, ending each with a switch. */
  static void generate(PostgresServer s, int segments) {
    s.sql("CREATE TABLE IF NOT EXISTS filler (id bigserial, pad text)");
    for (int i = 0; i < segments; i++) {
      s.sql(
          "INSERT INTO filler (pad) SELECT repeat(md5(g::text), 20) FROM generate_series(1, 2000) g");
      s.sql("SELECT pg_switch_wal()");
    }
  }
}
