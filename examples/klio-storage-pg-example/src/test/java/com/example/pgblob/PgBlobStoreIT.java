package com.example.pgblob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.storage.ConditionalPut;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the contract does not look at, against a real PostgreSQL: ranges that cross part boundaries,
 * the rows a put, an overwrite, a refused create, a failed put and a delete leave behind, options
 * in the URI's query (the only way {@code BlobStores.open(String)} has), and how failures are
 * classified. The store's tables live in the schema of the role that owns them.
 */
class PgBlobStoreIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @TempDir static Path dir;

  private static PostgresServer server;
  private static Path password;

  @BeforeAll
  static void schema() throws IOException {
    server = pg.shared(PostgresConfig.of(PostgresVersions.enabled().get(0)));
    server.sql("CREATE SCHEMA plain AUTHORIZATION plain");
    password = Files.writeString(dir.resolve("password"), server.password());
  }

  private static String uri(String table) {
    return "pgblob://127.0.0.1:"
        + server.port()
        + "/postgres?user=plain&password-file="
        + password
        + "&part-size=64KiB&table="
        + table;
  }

  private static int parts(String table, BlobKey key) {
    return Integer.parseInt(
        server.sql("SELECT count(*) FROM plain." + table + "_parts WHERE key = '" + key + "'"));
  }

  @Test
  void rangesAcrossPartBoundaries() throws IOException {
    byte[] data = new byte[200_000]; // 3 parts of 64 KiB and one of 3,392 bytes
    new Random(7).nextBytes(data);
    BlobKey key = BlobKey.of("ranges");
    try (BlobStore store = BlobStores.open(uri("ranges"))) {
      store.put(key, new ByteArrayInputStream(data));
      assertThat(parts("ranges", key)).isEqualTo(4);
      long[][] ranges = {
        {65_535, 2},
        {65_536, 65_536},
        {100, 150_000},
        {131_071, 68_929},
        {199_999, 10},
        {196_608, 5_000},
        {0, Long.MAX_VALUE},
        {200_000, 1},
        {131_072, 0}
      };
      for (long[] r : ranges) {
        try (InputStream in = store.get(key, r[0], r[1])) {
          int to = (int) Math.min(data.length, r[0] + Math.min(r[1], data.length));
          assertThat(in.readAllBytes())
              .as("range %d+%d", r[0], r[1])
              .isEqualTo(Arrays.copyOfRange(data, (int) r[0], to));
        }
      }
      try (InputStream in = store.get(key)) {
        assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOf(data, 10));
        assertThat(in.read()).isEqualTo(data[10] & 0xff);
        assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 11, data.length));
        assertThat(in.read()).isEqualTo(-1);
      }
    }
  }

  @Test
  void overwritesRefusedCreatesFailedPutsAndDeletesLeaveNoParts() throws IOException {
    BlobKey key = BlobKey.of("a/object");
    try (BlobStore store = BlobStores.open(uri("rows"))) {
      store.put(key, new ByteArrayInputStream(new byte[150_000]));
      assertThat(parts("rows", key)).isEqualTo(3);
      store.put(key, new ByteArrayInputStream(new byte[10]));
      assertThat(parts("rows", key)).isEqualTo(1);
      assertThat(((ConditionalPut) store).putIfAbsent(key, new ByteArrayInputStream(new byte[1])))
          .isFalse();
      // a source that fails after 100,000 bytes: one 64 KiB part was inserted before it did
      InputStream failing =
          new FilterInputStream(new ByteArrayInputStream(new byte[100_000])) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              int n = super.read(b, off, len);
              if (n < 0) {
                throw new IOException("source failed");
              }
              return n;
            }
          };
      assertThatThrownBy(() -> store.put(key, failing))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("could not read the content to store as 'a/object' in ")
          .hasMessageContaining("source failed");
      assertThat(parts("rows", key)).isEqualTo(1);
      assertThat(store.stat(key).orElseThrow().size()).isEqualTo(10);
      store.delete(key);
      assertThat(parts("rows", key)).isZero();
      assertThat(server.sql("SELECT count(*) FROM plain.rows_parts")).isEqualTo("0");
      assertThat(server.sql("SELECT count(*) FROM plain.rows")).isEqualTo("0");
    }
  }

  @Test
  void failuresAreClassifiedAndNameTheStoreAndKey() throws IOException {
    assertThatThrownBy(
            () ->
                BlobStores.open(
                    uri("errors").replace("password-file=" + password, "password-file=" + wrong())))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("pgblob://127.0.0.1:" + server.port() + "/postgres?table=errors")
        .hasMessageContaining("28P01")
        .hasMessageContaining("check the options user and password-file")
        .hasMessageNotContaining(server.password());
    assertThatThrownBy(() -> BlobStores.open(uri("errors").replace("/postgres?", "/nosuchdb?")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("3D000");

    BlobKey key = BlobKey.of("kept");
    try (BlobStore store = BlobStores.open(uri("errors"))) {
      assertThat(store.describe()).doesNotContain(server.password()).doesNotContain("password");
      store.put(key, new ByteArrayInputStream(new byte[] {1, 2, 3}));
      server.stop();
      try {
        // the pooled connection was ended by the shutdown; the store drops it
        assertThatThrownBy(() -> store.stat(key))
            .isInstanceOf(RetryableException.class)
            .hasMessageContaining("could not stat 'kept' in " + store.describe())
            .hasMessageContaining("SQLSTATE 57P01");
        // so the next call connects, and is refused
        assertThatThrownBy(() -> store.get(key))
            .isInstanceOf(RetryableException.class)
            .hasMessageContaining("could not read 'kept' in " + store.describe())
            .hasMessageContaining("SQLSTATE 08001");
      } finally {
        server.start();
      }
      // the broken connections were dropped: the store connects again
      assertThat(store.stat(key).orElseThrow().size()).isEqualTo(3);
    }
  }

  private static Path wrong() throws IOException {
    return Files.writeString(dir.resolve("wrong-password"), "not-the-password\n");
  }
}
