package io.klio.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStoreProvider;
import io.klio.storage.BlobStores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Filesystem-specific behaviour and provider discovery. */
class FsBlobStoreTest {

  @TempDir Path dir;

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void keysMapToPathsAndTempFilesStayHidden() throws IOException {
    try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
      store.put(BlobKey.of("wal/a"), bytes("x"));
      assertThat(dir.resolve("wal/a")).hasContent("x");
      // what a crash in the middle of a put leaves behind
      Files.writeString(dir.resolve("wal/b" + FsBlobStore.TEMP_MARKER + "1234"), "torn");
      assertThat(store.list("", Optional.empty(), 10).objects())
          .extracting(o -> o.key().value())
          .containsExactly("wal/a");
      assertThat(Files.list(dir.resolve("wal")).count()).isEqualTo(2);
    }
  }

  @Test
  void keyThatIsADirectoryOfOtherKeysIsRefusedClearly() throws IOException {
    try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
      store.put(BlobKey.of("a/b"), bytes("x"));
      assertThatThrownBy(() -> store.put(BlobKey.of("a"), bytes("y")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'a'")
          .hasMessageContaining("start with 'a/'");
      assertThatThrownBy(() -> store.put(BlobKey.of("a/b/c"), bytes("y")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'a/b/c'");
      assertThat(store.stat(BlobKey.of("a"))).isEmpty();
      assertThat(store.stat(BlobKey.of("a/b")).orElseThrow().size()).isEqualTo(1);
    }
  }

  @Test
  void openingChecksTheRoot() throws IOException {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> BlobStores.open(missing.toUri(), Map.of("create", "false")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("create=true");
    assertThatThrownBy(() -> BlobStores.open(missing.toUri(), Map.of("create", "maybe")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("create='maybe'");
    BlobStores.open(missing.toUri(), Map.of()).close();
    assertThat(missing).isDirectory();
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> BlobStores.open(file.toUri().toString()))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("not a directory");
    assertThatThrownBy(() -> BlobStores.open("file://host/x"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("names a host");
  }

  @Test
  void unknownSchemesAndOptionsAreNamed() {
    assertThatThrownBy(() -> BlobStores.open("nope://bucket/x"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("storage URI 'nope://bucket/x'")
        .hasMessageContaining("no storage backend for scheme 'nope'; known: file")
        .hasMessageContaining("META-INF/services/" + BlobStoreProvider.class.getName());
    assertThatThrownBy(() -> BlobStores.open(dir.toUri(), Map.of("colour", "blue")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("[colour]")
        .hasMessageContaining("[create]");
    assertThatThrownBy(() -> BlobStores.open("relative-without-scheme"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("no scheme");
  }

  @Test
  void twoProvidersForOneSchemeFailAtDiscovery() throws IOException {
    Path services = dir.resolve("cp/META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve(BlobStoreProvider.class.getName()), ShadowProvider.class.getName() + "\n");
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(
            new java.net.URL[] {dir.resolve("cp").toUri().toURL()}, getClass().getClassLoader())) {
      t.setContextClassLoader(loader); // the class loader every Klio SPI lookup uses
      assertThatThrownBy(BlobStores::providers)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'file'")
          .hasMessageContaining(FsBlobStoreProvider.class.getName())
          .hasMessageContaining(ShadowProvider.class.getName());
      assertThatThrownBy(() -> BlobStores.open(dir.toUri().toString()))
          .isInstanceOf(IllegalStateException.class);
    } finally {
      t.setContextClassLoader(before);
    }
    assertThat(BlobStores.providers()).containsOnlyKeys("file");
  }

  /** A second provider for the file scheme, to provoke the duplicate check. */
  public static final class ShadowProvider implements BlobStoreProvider {
    @Override
    public String scheme() {
      return "FILE";
    }

    @Override
    public Set<String> optionNames() {
      return Set.of();
    }

    @Override
    public BlobStore open(URI uri, Map<String, String> options) {
      throw new UnsupportedOperationException("never opened");
    }
  }
}
