package io.klio.walstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.testkit.postgres.AuthMethod;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresTls;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.walstream.sink.DirectoryWalSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Authentication, transport and the receiver's refusals, against real servers. */
class ConnectionIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  private static ConnectionSettings settings(PostgresServer s, String conninfo, String password) {
    return ConnectionStrings.resolve(
        "host=127.0.0.1 port=" + s.port() + " " + conninfo,
        password == null ? Map.of() : Map.of("password", password),
        Map.of("HOME", "/nonexistent"));
  }

  @ParameterizedTest
  @MethodSource("versions")
  void everyAuthenticationMethod(int major) throws Exception {
    for (AuthMethod m :
        List.of(AuthMethod.TRUST, AuthMethod.PASSWORD, AuthMethod.MD5, AuthMethod.SCRAM_SHA_256)) {
      PostgresServer s = pg.start(PostgresConfig.of(major).withAuth(m));
      try (PgConnection c =
          PgConnection.connect(settings(s, "user=klio sslmode=disable", s.password()), true)) {
        assertThat(c.identifySystem().systemId().toString())
            .as(m.toString())
            .isEqualTo(s.sql("SELECT system_identifier FROM pg_control_system()"));
        assertThat(c.serverMajorVersion()).isEqualTo(major);
      }
      if (m != AuthMethod.TRUST) {
        assertThatThrownBy(
                () -> PgConnection.connect(settings(s, "user=klio sslmode=disable", "wrong"), true))
            .isInstanceOf(PostgresException.class)
            .hasMessageContaining("password authentication failed for user \"klio\"")
            .hasMessageContaining("28P01");
        assertThatThrownBy(
                () -> PgConnection.connect(settings(s, "user=klio sslmode=disable", null), true))
            .isInstanceOf(PermanentException.class)
            .hasMessageContaining("no password was supplied");
      }
      s.close();
    }
  }

  @ParameterizedTest
  @MethodSource("versions")
  void refusalsAreClear(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    assertThatThrownBy(
            () ->
                PgConnection.connect(
                    settings(s, "user=rejected sslmode=disable", s.password()), true))
        .isInstanceOf(PostgresException.class)
        .hasMessageContaining("pg_hba.conf rejects")
        .hasMessageContaining("rejected");
    // a role without REPLICATION
    assertThatThrownBy(
            () ->
                PgConnection.connect(settings(s, "user=plain sslmode=disable", s.password()), true))
        .isInstanceOf(PostgresException.class)
        .hasMessageMatching("(?s).*(WAL sender|walsender).*")
        .satisfies(e -> assertThat(((PostgresException) e).sqlState()).isEqualTo("42501"));
    // a missing slot, unless asked to create it
    WalReceiverOptions opts = WalReceiverOptions.defaults().withSlot("missing", false);
    try (DirectoryWalSink sink = new DirectoryWalSink(tmp.resolve("a"))) {
      assertThatThrownBy(() -> new WalReceiver(Wal.tcp(s), sink, opts).run())
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("replication slot \"missing\" does not exist")
          .hasMessageContaining("--create-slot");
    }
    // WAL of another cluster in the sink: refused, nothing written
    Path dir = tmp.resolve("b");
    Wal.generate(s, 1);
    s.sql("CREATE TABLE moved_past_the_segment_start AS SELECT 1");
    try (DirectoryWalSink sink = new DirectoryWalSink(dir)) {
      io.klio.api.Lsn now = io.klio.api.Lsn.parse(s.sql("SELECT pg_current_wal_lsn()"));
      assertThat(
              new WalReceiver(Wal.tcp(s), sink, WalReceiverOptions.defaults().withEndPosition(now))
                  .run())
          .isEqualTo(WalReceiver.Outcome.END_POSITION_REACHED);
    }
    List<String> before = list(dir);
    PostgresServer other = pg.start(PostgresConfig.of(major));
    try (DirectoryWalSink sink = new DirectoryWalSink(dir)) {
      assertThatThrownBy(
              () -> new WalReceiver(Wal.tcp(other), sink, WalReceiverOptions.defaults()).run())
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("system identifier mismatch")
          .hasMessageContaining(s.sql("SELECT system_identifier FROM pg_control_system()"))
          .hasMessageContaining(other.sql("SELECT system_identifier FROM pg_control_system()"));
    }
    assertThat(list(dir)).isEqualTo(before);
  }

  private static List<String> list(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("versions")
  void tlsVerifyFullWithChannelBindingAndClientCertificate(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major).withTls());
    PostgresTls tls = s.tls().orElseThrow();
    String verifyFull =
        "user=klio sslmode=verify-full channel_binding=require sslrootcert=" + tls.caFile();
    for (String host : List.of("localhost", "127.0.0.1")) {
      ConnectionSettings cs =
          ConnectionStrings.resolve(
              verifyFull + " host=" + host + " port=" + s.port(),
              Map.of("password", s.password()),
              Map.of("HOME", "/nonexistent"));
      try (PgConnection c = PgConnection.connect(cs, true)) {
        assertThat(c.isTls()).isTrue();
        assertThat(c.identifySystem().timeline().value()).isEqualTo(1);
      }
    }
    // a client certificate is presented and seen by the server
    Path crt = tls.issueClient("klio", tmp);
    Files.setPosixFilePermissions(
        tmp.resolve("klio.key"), PosixFilePermissions.fromString("rw-------"));
    ConnectionSettings withCert =
        settings(
            s,
            verifyFull + " dbname=postgres sslcert=" + crt + " sslkey=" + tmp.resolve("klio.key"),
            s.password());
    try (PgConnection c = PgConnection.connect(withCert, false)) {
      assertThat(
              c.query("SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()").text(0, 0))
          .contains("/CN=klio");
    }
    // the wrong CA, or a host name the certificate does not name: a clear TLS failure
    Path otherCa =
        io.klio.testkit.tls.TestCertificateAuthority.create("other")
            .writeCertificate(tmp.resolve("o.crt"));
    assertThatThrownBy(
            () ->
                PgConnection.connect(
                    settings(
                        s, "user=klio sslmode=verify-full sslrootcert=" + otherCa, s.password()),
                    true))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("TLS handshake")
        .hasMessageContaining("sslrootcert");
    ConnectionSettings wrongName =
        ConnectionStrings.resolve(
            "host=db.example hostaddr=127.0.0.1 port="
                + s.port()
                + " user=klio sslmode=verify-full sslrootcert="
                + tls.caFile(),
            Map.of("password", s.password()),
            Map.of("HOME", "/nonexistent"));
    assertThatThrownBy(() -> PgConnection.connect(wrongName, true))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("TLS handshake")
        .hasMessageContaining("host name");
    // verify-ca does not check the name
    ConnectionSettings verifyCa =
        ConnectionStrings.resolve(
            "host=127.0.0.1 port="
                + s.port()
                + " user=klio sslmode=verify-ca sslrootcert="
                + tls.caFile(),
            Map.of("password", s.password()),
            Map.of("HOME", "/nonexistent"));
    PgConnection.connect(verifyCa, true).close();
    // sslmode=require against a server without TLS
    PostgresServer plain = pg.start(PostgresConfig.of(major));
    assertThatThrownBy(
            () ->
                PgConnection.connect(
                    settings(plain, "user=klio sslmode=require", plain.password()), true))
        .hasMessageContaining("does not support SSL, but SSL was required");
    assertThatThrownBy(
            () ->
                PgConnection.connect(
                    settings(plain, "user=klio channel_binding=require", plain.password()), true))
        .hasMessageContaining("channel binding is required");
  }

  @ParameterizedTest
  @MethodSource("versions")
  void unixSocket(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major).withAuth(AuthMethod.MD5));
    try (PgConnection c = PgConnection.connect(Wal.socket(s), false)) {
      assertThat(c.isTls()).isFalse();
      assertThat(c.query("SELECT 40 + 2").text(0, 0)).contains("42");
      assertThatThrownBy(() -> c.query("SELECT * FROM no_such_table"))
          .isInstanceOf(PostgresException.class)
          .hasMessageContaining("42P01");
      assertThat(c.query("SELECT 1").text(0, 0)).contains("1");
    }
  }
}
