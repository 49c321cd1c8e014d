package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code klio tls}: the files it writes, what the certificates hold, and what it refuses. */
class TlsCommandTest {

  @TempDir Path dir;
  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  private String run(String... args) {
    return console.run(args);
  }

  static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private List<String> tree() throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(Files::isRegularFile)
          .forEach(
              p -> {
                try {
                  out.add(
                      dir.relativize(p)
                          + " "
                          + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
    }
    return out.stream().sorted().toList();
  }

  @Test
  void initWritesACaAServerCertificateAndOneClientCertificatePerCluster() throws Exception {
    Path tls = dir.resolve("tls");
    String out =
        run(
            "tls",
            "init",
            tls.toString(),
            "--server-name",
            "klio.backup.svc,Klio.Backup.svc.cluster.local,10.1.2.3,::1",
            "--cluster",
            "pg-main,pg-other");
    assertThat(out).startsWith("0\n");
    assertThat(tree())
        .containsExactly(
            "tls/ca.crt rw-r--r--",
            "tls/ca.key rw-------",
            "tls/clients/pg-main/ca.crt rw-r--r--",
            "tls/clients/pg-main/tls.crt rw-r--r--",
            "tls/clients/pg-main/tls.key rw-------",
            "tls/clients/pg-other/ca.crt rw-r--r--",
            "tls/clients/pg-other/tls.crt rw-r--r--",
            "tls/clients/pg-other/tls.key rw-------",
            "tls/server/ca.crt rw-r--r--",
            "tls/server/tls.crt rw-r--r--",
            "tls/server/tls.key rw-------");

    X509Certificate ca = certificate(tls.resolve("ca.crt"));
    assertThat(ca.getBasicConstraints()).isZero();
    X509Certificate server = certificate(tls.resolve("server/tls.crt"));
    server.verify(ca.getPublicKey());
    assertThat(server.getSubjectAlternativeNames())
        .containsExactly(
            List.of(2, "klio.backup.svc"),
            List.of(2, "klio.backup.svc.cluster.local"),
            List.of(7, "10.1.2.3"),
            List.of(7, "0:0:0:0:0:0:0:1"));
    assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    X509Certificate client = certificate(tls.resolve("clients/pg-main/tls.crt"));
    client.verify(ca.getPublicKey());
    // exactly what ClientIdentity reads as the cluster: the subject's CN, and nothing else
    assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=pg-main");
    assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(Files.readString(tls.resolve("clients/pg-main/tls.key")))
        .startsWith("-----BEGIN PRIVATE KEY-----"); // PKCS#8, what tls.key takes
    assertThat(Files.readString(tls.resolve("server/ca.crt")))
        .isEqualTo(Files.readString(tls.resolve("ca.crt")));

    // the configuration to paste, with the files' absolute paths
    Path abs = tls.toAbsolutePath();
    assertThat(out)
        .contains("server.yaml:\n  tls:\n    certificate: " + abs.resolve("server/tls.crt"))
        .contains("    clientCa: " + abs.resolve("server/ca.crt"))
        .contains("  cluster: pg-other\n  server: klio.backup.svc:7433\n")
        .contains("    key: " + abs.resolve("clients/pg-other/tls.key"));
  }

  @Test
  void nothingIsOverwrittenWithoutForce() throws Exception {
    Path tls = dir.resolve("tls");
    String[] init = {"tls", "init", tls.toString(), "--server-name", "localhost", "--cluster", "a"};
    assertThat(run(init)).startsWith("0\n");
    String caBefore = Files.readString(tls.resolve("ca.crt"));
    assertThat(run(init))
        .startsWith("1\n")
        .contains("not overwriting " + tls.resolve("ca.crt"))
        .contains("nothing was written");
    assertThat(Files.readString(tls.resolve("ca.crt"))).isEqualTo(caBefore);

    // one existing file among several: none of the others is written either
    assertThat(run("tls", "add-client", tls.toString(), "--cluster", "b,a")).startsWith("1\n");
    assertThat(tls.resolve("clients/b")).doesNotExist();

    assertThat(run("tls", "add-client", tls.toString(), "--cluster", "b")).startsWith("0\n");
    X509Certificate b = certificate(tls.resolve("clients/b/tls.crt"));
    b.verify(certificate(tls.resolve("ca.crt")).getPublicKey());
    assertThat(b.getSubjectX500Principal().getName()).isEqualTo("CN=b");
    assertThat(console.out()).contains("  server: localhost:7433\n");

    String[] force = {
      "tls", "init", tls.toString(), "--server-name", "localhost", "--cluster", "a", "--force"
    };
    assertThat(run(force)).startsWith("0\n");
    assertThat(Files.readString(tls.resolve("ca.crt"))).isNotEqualTo(caBefore);
    assertThat(Files.getPosixFilePermissions(tls.resolve("ca.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (Stream<Path> s = Files.walk(tls)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
    }
  }

  @Test
  void badNamesAreUsageErrorsAndAMissingCaIsNamed() throws Exception {
    Path tls = dir.resolve("tls");
    assertThat(run("tls", "init", tls.toString(), "--server-name", "bad_name", "--cluster", "a"))
        .startsWith("2\n")
        .contains("'bad_name' is neither an IP address nor a DNS name");
    assertThat(run("tls", "init", tls.toString(), "--server-name", "x", "--cluster", "Main"))
        .startsWith("2\n")
        .contains("--cluster")
        .contains("Main");
    assertThat(run("tls", "init", tls.toString(), "--cluster", "a"))
        .startsWith("2\n")
        .contains("--server-name");
    assertThat(tls).doesNotExist();
    assertThat(run("tls", "add-client", tls.toString(), "--cluster", "a"))
        .startsWith("1\n")
        .contains(tls.resolve("ca.crt") + " does not exist; create a CA with klio tls init");

    // a key that is not the CA's
    assertThat(run("tls", "init", tls.toString(), "--server-name", "x", "--cluster", "a"))
        .startsWith("0\n");
    Files.copy(
        tls.resolve("clients/a/tls.key"),
        tls.resolve("ca.key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(run("tls", "add-client", tls.toString(), "--cluster", "b"))
        .startsWith("1\n")
        .contains("the key does not belong to the CA certificate");
  }
}
