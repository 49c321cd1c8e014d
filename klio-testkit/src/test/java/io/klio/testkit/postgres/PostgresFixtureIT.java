package io.klio.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The fixture gives real servers that behave as configured, for every enabled major. */
class PostgresFixtureIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  private static Processes.Result psql(String conninfo, String password, String sql) {
    return Processes.run(
        List.of(PostgresServer.psql().toString(), "-X", "-A", "-t", "-d", conninfo, "-c", sql),
        password == null ? Map.of() : Map.of("PGPASSWORD", password),
        null,
        null);
  }

  @ParameterizedTest
  @MethodSource("versions")
  void serverIsConfiguredForReplication(int major) {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    assertThat(s.sql("SELECT current_setting('server_version_num')::int / 10000"))
        .isEqualTo(Integer.toString(major));
    assertThat(s.sql("SHOW wal_level")).isEqualTo("replica");
    assertThat(Integer.parseInt(s.sql("SHOW max_wal_senders"))).isGreaterThanOrEqualTo(5);
    assertThat(s.sql("SELECT rolreplication FROM pg_roles WHERE rolname = 'klio'")).isEqualTo("t");
    assertThat(s.sql("SELECT rolreplication FROM pg_roles WHERE rolname = 'plain'")).isEqualTo("f");
    // the unix socket is where the server says it is
    assertThat(Files.exists(s.socketDirectory().resolve(".s.PGSQL." + s.port()))).isTrue();
    // a replication connection over TCP works for the replication role
    Processes.Result r =
        psql(s.connectionString("klio") + " replication=true", s.password(), "IDENTIFY_SYSTEM");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains(s.sql("SELECT system_identifier FROM pg_control_system()"));
  }

  @ParameterizedTest
  @MethodSource("versions")
  void authenticationMethods(int major) {
    for (AuthMethod method : List.of(AuthMethod.TRUST, AuthMethod.MD5, AuthMethod.SCRAM_SHA_256)) {
      PostgresServer s = pg.start(PostgresConfig.of(major).withAuth(method));
      Processes.Result ok = psql(s.connectionString("klio"), s.password(), "SELECT 1");
      assertThat(ok.exitCode()).as(method + ": " + ok.output()).isZero();
      Processes.Result wrong = psql(s.connectionString("klio"), "not-the-password", "SELECT 1");
      if (method == AuthMethod.TRUST) {
        assertThat(wrong.exitCode()).as("trust ignores passwords").isZero();
      } else {
        assertThat(wrong.exitCode()).isNotZero();
        assertThat(wrong.output()).contains("password authentication failed");
      }
      String stored = s.sql("SELECT left(rolpassword, 6) FROM pg_authid WHERE rolname = 'klio'");
      assertThat(stored).startsWith(method == AuthMethod.MD5 ? "md5" : "SCRAM-");
      Processes.Result rejected = psql(s.connectionString("rejected"), s.password(), "SELECT 1");
      assertThat(rejected.exitCode()).isNotZero();
      assertThat(rejected.output()).contains("pg_hba.conf rejects connection");
    }
  }

  @ParameterizedTest
  @MethodSource("versions")
  void tlsWithVerifyFullAndClientCertificates(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major).withTls());
    PostgresTls tls = s.tls().orElseThrow();
    String verifyFull =
        "host=localhost port="
            + s.port()
            + " user=klio dbname=postgres sslmode=verify-full sslrootcert="
            + tls.caFile();
    Processes.Result r =
        psql(verifyFull, s.password(), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output().strip()).isEqualTo("t");

    Path crt = tls.issueClient("klio", tmp);
    Files.setPosixFilePermissions(
        tmp.resolve("klio.key"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Processes.Result withCert =
        psql(
            verifyFull + " sslcert=" + crt + " sslkey=" + tmp.resolve("klio.key"),
            s.password(),
            "SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    assertThat(withCert.exitCode()).as(withCert.output()).isZero();
    assertThat(withCert.output().strip()).isEqualTo("/CN=klio");

    // a CA the server's certificate does not chain to is refused by verify-full
    Path otherCa =
        io.klio.testkit.tls.TestCertificateAuthority.create("other")
            .writeCertificate(tmp.resolve("other.crt"));
    Processes.Result untrusted =
        psql(
            verifyFull.replace(tls.caFile().toString(), otherCa.toString()),
            s.password(),
            "SELECT 1");
    assertThat(untrusted.exitCode()).isNotZero();
    assertThat(untrusted.output()).contains("certificate verify failed");
  }

  @ParameterizedTest
  @MethodSource("versions")
  void killNineThenRestartKeepsCommittedData(int major) throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(major));
    s.sql("CREATE TABLE t (v int); INSERT INTO t SELECT generate_series(1, 1000)");
    s.kill();
    assertThat(s.isRunning()).isFalse();
    assertThat(psql(s.connectionString("postgres"), s.password(), "SELECT 1").exitCode())
        .isNotZero();
    s.start();
    assertThat(s.sql("SELECT count(*) FROM t")).isEqualTo("1000");
    assertThat(Files.readString(s.logFile())).contains("database system was interrupted");
  }

  @ParameterizedTest
  @MethodSource("versions")
  void standbyFromColdCopyFollowsAndPromotesToANewTimeline(int major) {
    PostgresServer primary = pg.start(PostgresConfig.of(major));
    primary.sql("CREATE TABLE t (v int); INSERT INTO t VALUES (1)");
    PostgresServer standby = pg.adopt(primary.createStandby());
    assertThat(standby.sql("SELECT pg_is_in_recovery()")).isEqualTo("t");
    primary.sql("INSERT INTO t VALUES (2)");
    waitFor(() -> standby.sql("SELECT count(*) FROM t").equals("2"), "standby to replay");
    assertThat(primary.sql("SELECT count(*) FROM pg_stat_replication")).isEqualTo("1");

    standby.promote();
    assertThat(standby.sql("SELECT pg_is_in_recovery()")).isEqualTo("f");
    assertThat(standby.sql("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
        .isEqualTo("00000002");
    standby.sql("INSERT INTO t VALUES (3)");
    assertThat(standby.sql("SELECT count(*) FROM t")).isEqualTo("3");
  }

  @Test
  void logsCanBeKept() throws Exception {
    PostgresServer s = pg.start(PostgresConfig.of(PostgresVersions.enabled().get(0)));
    s.copyLogTo(tmp.resolve("kept/postgres.log"));
    assertThat(Files.readString(tmp.resolve("kept/postgres.log")))
        .contains("database system is ready to accept connections");
  }

  private static void waitFor(Supplier<Boolean> condition, String what) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!condition.get()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
