package io.klio.testkit.postgres;

import io.klio.testkit.tls.TestCertificateAuthority;
import java.nio.file.Path;
import java.util.List;

/**
 * The TLS material of a test server: the CA that signed its certificate (clients verify with {@link
 * #caFile()}; use {@code sslmode=verify-full} with host {@code localhost} or {@code 127.0.0.1}) and
 * a way to issue client certificates the server trusts.
 */
public final class PostgresTls {

  private final TestCertificateAuthority ca;
  private final Path dir;

  PostgresTls(Path dir) {
    this.dir = dir;
    this.ca = TestCertificateAuthority.create("klio test CA");
    ca.writeCertificate(caFile());
    ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"))
        .write(serverCertFile(), serverKeyFile());
  }

  /** The CA certificate, PEM: libpq's {@code sslrootcert}. */
  public Path caFile() {
    return dir.resolve("ca.crt");
  }

  Path serverCertFile() {
    return dir.resolve("server.crt");
  }

  Path serverKeyFile() {
    return dir.resolve("server.key");
  }

  /** The authority, to issue more certificates. */
  public TestCertificateAuthority authority() {
    return ca;
  }

  /**
   * Issues a client certificate for the database user {@code user} into {@code targetDir} as {@code
   * <user>.crt} and {@code <user>.key}; returns the certificate file.
   */
  public Path issueClient(String user, Path targetDir) {
    Path crt = targetDir.resolve(user + ".crt");
    ca.issueClient(user).write(crt, targetDir.resolve(user + ".key"));
    return crt;
  }
}
