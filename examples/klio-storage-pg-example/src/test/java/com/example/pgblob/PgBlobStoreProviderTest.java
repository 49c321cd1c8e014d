package com.example.pgblob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobStores;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URIs and options are checked before any connection, and their errors say what to write. */
class PgBlobStoreProviderTest {

  @TempDir Path dir;

  private static void assertBad(String uri, Map<String, String> options, String expected) {
    assertThatThrownBy(() -> BlobStores.open(URI.create(uri), options))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void theProviderIsFoundByItsScheme() {
    assertThat(BlobStores.providers()).containsKey("pgblob");
    assertThat(BlobStores.providers().get("pgblob")).isInstanceOf(PgBlobStoreProvider.class);
  }

  @Test
  void badUrisAndOptionsAreRefusedWithWhatToWrite() {
    Map<String, String> user = Map.of("user", "klio");
    assertBad("pgblob://db.example/", user, "write it as pgblob://host[:port]/database");
    assertBad("pgblob:///klio", user, "write it as pgblob://host[:port]/database");
    assertBad("pgblob://db.example/a/b", user, "write it as pgblob://host[:port]/database");
    assertBad("pgblob://db.example/klio", Map.of(), "option user is required");
    assertBad("pgblob://db.example/klio?colour=blue", user, "unknown option 'colour'");
    assertBad("pgblob://db.example/klio?user=a", user, "option 'user' is given twice");
    assertBad("pgblob://db.example/klio?user=a&table=Objects", Map.of(), "option table='Objects'");
    assertBad("pgblob://db.example/klio?user=a&table=a-b", Map.of(), "option table='a-b'");
    assertBad("pgblob://db.example/klio?user=a&part-size=1KiB", Map.of(), "use 64KiB to 64MiB");
    assertBad("pgblob://db.example/klio?user=a&part-size=65MiB", Map.of(), "use 64KiB to 64MiB");
    assertBad("pgblob://db.example/klio?user=a&pool-size=0", Map.of(), "from 1 to 64");
    assertBad("pgblob://db.example/klio?user=a&ssl-mode=strict", Map.of(), "ssl-mode='strict'");
    assertBad(
        "pgblob://db.example/klio?user=a&password-file=" + dir.resolve("missing"),
        Map.of(),
        "cannot read password-file " + dir.resolve("missing"));
  }

  @Test
  void credentialsInTheUriAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> BlobStores.open("pgblob://klio:s3cret@db.example/klio"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("carries no credentials")
        .hasMessageContaining("password-file")
        .hasMessageNotContaining("s3cret");
  }
}
