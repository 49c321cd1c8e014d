package io.klio.api.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecRegistryTest {

  @TempDir Path dir;

  @Test
  void noneIsKliosOwnAndAThirdPartysCodecJoinsThroughServiceLoader() throws Exception {
    // klio-api's tests see none (klio-api's own services file) and the registered test codec;
    // zstd and lz4 live in klio-dedup
    assertThat(Codecs.known()).isEqualTo("0 none, 200 test-reverse");
    assertThat(Codecs.byName("none")).isSameAs(NoneCodec.INSTANCE);
    assertThat(Codecs.byId(0)).isSameAs(NoneCodec.INSTANCE);
    Codec reverse = Codecs.byName("test-reverse");
    assertThat(reverse.id()).isEqualTo(200);
    assertThat(Codecs.byId(200).name()).isEqualTo("test-reverse");
    assertThat(Codecs.isKnown(200)).isTrue();
    assertThat(Codecs.isKnown(1)).isFalse();
  }

  @Test
  void unknownNamesIdsAndParametersAreNamed() {
    assertThatThrownBy(() -> Codecs.byName("brotli:5"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("no codec named 'brotli'; known: none, test-reverse")
        .hasMessageContaining("META-INF/services/io.klio.api.format.CodecProvider");
    assertThatThrownBy(() -> Codecs.byName("none:1"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("codec none takes no parameter");
    assertThatThrownBy(() -> Codecs.byId(1))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("unknown codec byte 1")
        .hasMessageContaining("known: 0 none, 200 test-reverse");
  }

  @Test
  void encodeOrStoreKeepsWhatDoesNotShrink() throws Exception {
    byte[] data = {1, 2, 3, 4};
    Codecs.Encoded e = Codecs.encodeOrStore(Codecs.byName("test-reverse"), data, 1, 2);
    assertThat(e.codec()).isSameAs(NoneCodec.INSTANCE);
    assertThat(e.bytes()).containsExactly(2, 3);
  }

  @Test
  void twoProvidersWithOneIdFailEveryLookup() throws Exception {
    assertThatThrownBy(() -> loadWith(TestCodecs.SameId.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("claim '200'")
        .hasMessageContaining(TestCodecs.Reverse.class.getName())
        .hasMessageContaining(TestCodecs.SameId.class.getName());
  }

  @Test
  void twoProvidersWithOneNameFailEveryLookup() throws Exception {
    assertThatThrownBy(() -> loadWith(TestCodecs.SameName.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("claim 'test-reverse'")
        .hasMessageContaining(TestCodecs.Reverse.class.getName())
        .hasMessageContaining(TestCodecs.SameName.class.getName());
  }

  @Test
  void kliosIdsAndNamesAreReserved() throws Exception {
    assertThatThrownBy(() -> loadWith(TestCodecs.ReservedId.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(TestCodecs.ReservedId.class.getName())
        .hasMessageContaining("id 7 is reserved for Klio's codecs")
        .hasMessageContaining("from 128 to 254");
    assertThatThrownBy(() -> loadWith(TestCodecs.KlioId.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("id 1 is Klio's codec 'zstd'");
    assertThatThrownBy(() -> loadWith(TestCodecs.KlioName.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the name 'zstd' is one of Klio's codecs");
  }

  @Test
  void aProviderWhoseCodecWritesAnotherIdIsRefused() throws Exception {
    assertThatThrownBy(() -> loadWith(TestCodecs.Lying.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(TestCodecs.Lying.class.getName())
        .hasMessageContaining("declares 203 'test-lying' but makes a codec that says 200");
  }

  /** Reads the registry with one more provider on the class path (a services file of its own). */
  private Codecs.Registry loadWith(Class<? extends CodecProvider> extra) throws Exception {
    Path services = Files.createDirectories(dir.resolve("cp/META-INF/services"));
    Files.writeString(services.resolve(CodecProvider.class.getName()), extra.getName() + "\n");
    return withContextLoader(dir.resolve("cp"), Codecs::load);
  }

  static <T> T withContextLoader(Path classPath, Callable<T> call) throws Exception {
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classPath.toUri().toURL()}, CodecRegistryTest.class.getClassLoader())) {
      t.setContextClassLoader(loader);
      return call.call();
    } finally {
      t.setContextClassLoader(before);
    }
  }
}
