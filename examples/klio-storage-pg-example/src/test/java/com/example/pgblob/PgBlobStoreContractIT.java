package com.example.pgblob;

import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.testkit.storage.BlobStoreContract;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pgblob store passes the contract every backend must pass, against a real PostgreSQL (the
 * first major of {@code klio.it.pgVersions}) over TLS with verify-full, as a role that owns only
 * its database, opened through {@code BlobStores.open} with a {@code pgblob:} URI (so through the
 * ServiceLoader). Parts of 64 KiB, so that the contract's objects span parts: the 256 KiB objects
 * it overwrites under a reader have 5 each, its 384 MiB object 6,144.
 */
class PgBlobStoreContractIT extends BlobStoreContract {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir static Path dir;

  private static URI uri;
  private static Map<String, String> options;

  @BeforeAll
  static void database() throws Exception {
    PostgresConfig config = PostgresConfig.of(PostgresVersions.enabled().get(0)).withTls();
    PostgresServer server = pg.shared(config);
    server.sql("CREATE DATABASE blobs OWNER " + PostgresServer.PLAIN_USER);
    Path password = Files.writeString(dir.resolve("password"), server.password());
    uri = URI.create("pgblob://localhost:" + server.port() + "/blobs");
    options =
        Map.of(
            "user",
            PostgresServer.PLAIN_USER,
            "password-file",
            password.toString(),
            "ssl-mode",
            "verify-full",
            "ssl-root-cert",
            server.tls().orElseThrow().caFile().toString(),
            "part-size",
            "64KiB");
  }

  @Override
  protected BlobStore openStore() throws Exception {
    return BlobStores.open(uri, options);
  }
}
