package io.klio.server.quickstart;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Where the quickstart's Klio files are and what they say: the certificates ({@code pki/}, from
 * klio tls), the key-encryption key, Tier 1, {@code server.yaml}, and {@code client/client.yaml}
 * (owned by {@link OsUser}, who runs the commands next to PostgreSQL), with free ports on 127.0.0.1
 * for everything that listens.
 */
final class KlioFiles {

  private final WorkDir dir;
  private final OsUser user;
  private final String password;
  private final int grpcPort = WorkDir.freePort();
  private final int walSocketPort = WorkDir.freePort();
  private final int httpPort = WorkDir.freePort();
  private final int sendWalHttpPort = WorkDir.freePort();

  KlioFiles(WorkDir dir, OsUser user, String password) {
    this.dir = dir;
    this.user = user;
    this.password = password;
  }

  Path pki() {
    return dir.resolve("pki");
  }

  Path kek() {
    return dir.resolve("kek");
  }

  Path tier1() {
    return dir.resolve("tier1");
  }

  Path serverYaml() {
    return dir.resolve("server.yaml");
  }

  Path clientYaml() {
    return dir.resolve("client").resolve("client.yaml");
  }

  /** A .pgpass file for psql (see the summary); only the current user can read it. */
  Path pgpass() {
    return dir.resolve("pgpass");
  }

  int grpcPort() {
    return grpcPort;
  }

  int walSocketPort() {
    return walSocketPort;
  }

  String serverHttp() {
    return "http://127.0.0.1:" + httpPort;
  }

  String sendWalHttp() {
    return "http://127.0.0.1:" + sendWalHttpPort;
  }

  Path writeServerYaml() throws IOException {
    Path server = pki().resolve("server");
    write(
        serverYaml(),
        String.join(
            "\n",
            "# klio quickstart: the Klio server (docs/configuration.md)",
            "listen: 127.0.0.1:" + grpcPort,
            "tier1:",
            "  path: " + tier1(),
            "tls:",
            "  certificate: " + server.resolve("tls.crt"),
            "  key: " + server.resolve("tls.key"),
            "  clientCa: " + server.resolve("ca.crt"),
            "admins: [klio-admin]",
            "wal:",
            "  socketListen: 127.0.0.1:" + walSocketPort,
            "encryption:",
            "  kek: file:" + kek(),
            "http:",
            "  listen: 127.0.0.1:" + httpPort,
            ""));
    return serverYaml();
  }

  /** client.yaml for send-wal, backup, restore and get-wal next to {@code pg}. */
  Path writeClientYaml(LocalPostgres pg) throws IOException, InterruptedException {
    Path client = pki().resolve("clients").resolve(Quickstart.CLUSTER);
    Path d = Files.createDirectories(clientYaml().getParent());
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    write(
        clientYaml(),
        String.join(
            "\n",
            "# klio quickstart: the commands next to PostgreSQL (docs/configuration.md)",
            "cluster: " + Quickstart.CLUSTER,
            "server: 127.0.0.1:" + grpcPort,
            "tls:",
            "  certificate: " + client.resolve("tls.crt"),
            "  key: " + client.resolve("tls.key"),
            "  ca: " + client.resolve("ca.crt"),
            "postgres:",
            "  connection: " + pg.connectionString(Quickstart.ROLE) + " password=" + password,
            "  synchronous: true",
            "sendWal:",
            "  healthListen: 127.0.0.1:" + sendWalHttpPort,
            "backup:",
            "  pgdata: " + pg.data(),
            ""));
    user.own(d);
    return clientYaml();
  }

  /** Both clusters have the same password for every role. */
  void writePgpass() throws IOException {
    write(pgpass(), "127.0.0.1:*:*:*:" + password + "\n");
  }

  /** Writes a new file that only its owner can read (client.yaml holds a password). */
  private static void write(Path file, String text) throws IOException {
    try (var ch =
        Files.newByteChannel(
            file,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }
}
