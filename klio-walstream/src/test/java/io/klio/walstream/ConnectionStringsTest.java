package io.klio.walstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionStringsTest {

  @TempDir Path home;

  private Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("HOME", home.toString());
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void keywordValueWithQuotesAndEscapes() {
    Map<String, String> kv =
        ConnectionStrings.parse(
            "host=db.example port = 5433 user='o\\'neil' password='a b\\\\c' dbname=x");
    assertThat(kv)
        .containsEntry("host", "db.example")
        .containsEntry("port", "5433")
        .containsEntry("user", "o'neil")
        .containsEntry("password", "a b\\c")
        .containsEntry("dbname", "x");
    assertThatThrownBy(() -> ConnectionStrings.parse("host"))
        .hasMessageContaining("missing \"=\" after \"host\"");
    assertThatThrownBy(() -> ConnectionStrings.parse("host='x"))
        .hasMessageContaining("unterminated quoted string");
    assertThatThrownBy(() -> ConnectionStrings.parse("hots=x"))
        .hasMessageContaining("invalid connection option \"hots\"");
  }

  @Test
  void uris() {
    assertThat(
            ConnectionStrings.parse(
                "postgresql://klio:p%40ss@db:6543/app?sslmode=verify-full&application_name=x"))
        .containsEntry("user", "klio")
        .containsEntry("password", "p@ss")
        .containsEntry("host", "db")
        .containsEntry("port", "6543")
        .containsEntry("dbname", "app")
        .containsEntry("sslmode", "verify-full")
        .containsEntry("application_name", "x");
    assertThat(ConnectionStrings.parse("postgres://%2Fvar%2Frun%2Fpostgresql/db"))
        .containsEntry("host", "/var/run/postgresql");
    assertThat(ConnectionStrings.parse("postgresql://[::1]:5432")).containsEntry("host", "::1");
    assertThat(ConnectionStrings.parse("postgresql:///db?host=/tmp&port=5555"))
        .containsEntry("host", "/tmp")
        .containsEntry("port", "5555");
    assertThatThrownBy(() -> ConnectionStrings.parse("postgresql://h/db?sslmode"))
        .hasMessageContaining("missing key/value separator");
  }

  @Test
  void precedenceIsOverridesThenStringThenEnvironmentThenDefaults() {
    ConnectionSettings s =
        ConnectionStrings.resolve(
            "host=fromstring port=1111",
            Map.of("port", "2222"),
            env(
                "PGHOST",
                "fromenv",
                "PGUSER",
                "envuser",
                "PGSSLMODE",
                "require",
                "PGAPPNAME",
                "app"));
    assertThat(s.host()).isEqualTo("fromstring");
    assertThat(s.port()).isEqualTo(2222);
    assertThat(s.user()).isEqualTo("envuser");
    assertThat(s.sslMode()).isEqualTo(SslMode.REQUIRE);
    assertThat(s.applicationName()).isEqualTo("app");
    assertThat(s.password()).isEmpty();
    ConnectionSettings d = ConnectionStrings.resolve("", Map.of(), env());
    assertThat(d.port()).isEqualTo(5432);
    assertThat(d.isUnixSocket()).isTrue();
    assertThat(d.sslMode()).isEqualTo(SslMode.PREFER);
    assertThat(d.applicationName()).isEqualTo("klio");
  }

  @Test
  void passwordNeverShowsInToString() {
    ConnectionSettings s = ConnectionStrings.resolve("host=h password=hunter2", Map.of(), env());
    assertThat(s.toString()).doesNotContain("hunter2").contains("password=***");
  }

  @Test
  void pgpassWithWildcardsEscapesAndPermissions() throws Exception {
    Path pgpass = home.resolve(".pgpass");
    Files.writeString(
        pgpass,
        "# comment\n"
            + "other:5432:*:klio:wrong\n"
            + "db:*:replication:klio:repl\\:pw\n"
            + "*:*:*:klio:fallback\n");
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
    assertThat(
            ConnectionStrings.resolve("host=db user=klio replication=true", Map.of(), env())
                .password())
        .contains("repl:pw");
    assertThat(
            ConnectionStrings.resolve("host=db user=klio dbname=app", Map.of(), env()).password())
        .contains("fallback");
    assertThat(ConnectionStrings.resolve("host=db user=someone", Map.of(), env()).password())
        .isEmpty();
    // a socket directory matches "localhost"
    Files.writeString(pgpass, "localhost:5432:*:klio:local\n");
    assertThat(ConnectionStrings.resolve("host=/tmp user=klio", Map.of(), env()).password())
        .contains("local");
    // group-readable: ignored, like libpq
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r-----"));
    assertThat(ConnectionStrings.resolve("host=/tmp user=klio", Map.of(), env()).password())
        .isEmpty();
    // an explicit password wins over the file
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
    assertThat(
            ConnectionStrings.resolve("host=/tmp user=klio password=given", Map.of(), env())
                .password())
        .contains("given");
  }

  @Test
  void sslModes() {
    assertThat(SslMode.parse("verify-full")).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(SslMode.parse("disable").requiresTls()).isFalse();
    assertThat(SslMode.parse("require").requiresTls()).isTrue();
    assertThatThrownBy(() -> SslMode.parse("allow")).hasMessageContaining("prefer is the closest");
    assertThatThrownBy(() -> SslMode.parse("bogus")).hasMessageContaining("'bogus'");
  }
}
