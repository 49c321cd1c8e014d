package io.klio.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.klio.api.error.PermanentException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeksTest {

  @TempDir Path dir;

  static final byte[] AAD = "aad".getBytes(StandardCharsets.UTF_8);

  @Test
  void rawKeysInEveryEncoding() throws Exception {
    byte[] key = AesGcm.random(32);
    Path raw = Files.write(dir.resolve("raw"), key);
    Path hex = Files.writeString(dir.resolve("hex"), HexFormat.of().formatHex(key) + "\n");
    Path b64 = Files.writeString(dir.resolve("b64"), Base64.getEncoder().encodeToString(key));
    byte[] wrapped =
        Keks.open("file:" + raw).wrap("secret ring".getBytes(StandardCharsets.UTF_8), AAD);
    for (Path p : List.of(raw, hex, b64)) {
      assertThat(new String(Keks.open("file:" + p).unwrap(wrapped, AAD), StandardCharsets.UTF_8))
          .isEqualTo("secret ring");
    }
    // another key, or other associated data: a typed refusal
    Path other = Files.write(dir.resolve("other"), AesGcm.random(32));
    assertThatThrownBy(() -> Keks.open("file:" + other).unwrap(wrapped, AAD))
        .isInstanceOf(WrongKeyException.class)
        .hasMessageContaining(other.toString());
    assertThatThrownBy(
            () ->
                Keks.open("file:" + raw).unwrap(wrapped, "other".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(WrongKeyException.class);
  }

  @Test
  void malformedAndMissingKeysAreNamedWithoutShowingContent() throws Exception {
    Path shortKey = Files.writeString(dir.resolve("short"), "not-a-key-but-a-secret-value");
    assertThatThrownBy(() -> Keks.open("file:" + shortKey))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining(shortKey.toString())
        .hasMessageContaining("256-bit")
        .hasMessageNotContaining("secret-value");
    assertThatThrownBy(() -> Keks.open("file:" + dir.resolve("missing")))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> Keks.open("env:KLIO_TEST_SURELY_UNSET_VARIABLE"))
        .hasMessageContaining("KLIO_TEST_SURELY_UNSET_VARIABLE")
        .hasMessageContaining("not set");
    assertThatThrownBy(() -> Keks.open("vault:x"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("no key-encryption key scheme 'vault'")
        .hasMessageContaining("known: env, file, passphrase-env, passphrase-file, test-kms")
        .hasMessageContaining("META-INF/services/io.klio.crypto.KekProvider");
    assertThatThrownBy(() -> Keks.open("no-scheme")).hasMessageContaining("scheme:location");
    Path shortPass = Files.writeString(dir.resolve("pass"), "short\n");
    assertThatThrownBy(() -> Keks.open("passphrase-file:" + shortPass))
        .hasMessageContaining("shorter than 12");
    Path badTink = Files.writeString(dir.resolve("tink.json"), "{\"primaryKeyId\": 1}");
    assertThatThrownBy(() -> Keks.open("tink-keyset:" + badTink))
        .hasMessageContaining("not a valid");
  }

  @Test
  void passphraseKeysStoreTheirArgon2Parameters() throws Exception {
    Path pass = Files.writeString(dir.resolve("pass"), "correct horse battery staple\n");
    Kek kek = Keks.open("passphrase-file:" + pass);
    byte[] wrapped = kek.wrap(new byte[] {1, 2, 3}, AAD);
    assertThat(wrapped[0]).isEqualTo(PassphraseKek.SCHEME);
    assertThat(Keks.open("passphrase-file:" + pass).unwrap(wrapped, AAD)).containsExactly(1, 2, 3);
    Path wrong = Files.writeString(dir.resolve("wrong"), "incorrect horse battery staple\n");
    assertThatThrownBy(() -> Keks.open("passphrase-file:" + wrong).unwrap(wrapped, AAD))
        .isInstanceOf(WrongKeyException.class);
    // a raw key cannot open what a passphrase wrapped, and says why
    Path raw = Files.write(dir.resolve("raw"), AesGcm.random(32));
    assertThatThrownBy(() -> Keks.open("file:" + raw).unwrap(wrapped, AAD))
        .isInstanceOf(WrongKeyException.class)
        .hasMessageContaining("another kind of key");
  }

  @Test
  @SuppressWarnings("deprecation")
  void tinkKeysets() throws Exception {
    AeadConfig.register();
    KeysetHandle h = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
    Path file =
        Files.writeString(
            dir.resolve("keyset.json"),
            TinkJsonProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get()));
    Kek kek = Keks.open("tink-keyset:" + file);
    assertThat(kek.unwrap(kek.wrap(new byte[] {9}, AAD), AAD)).containsExactly(9);
    assertThat(kek.toString()).contains(file.toString()).doesNotContain("value");
  }

  @Test
  void aThirdPartyProviderPlugsInThroughServiceLoader() throws Exception {
    // the built-in schemes are registered the same way (klio-crypto's META-INF/services)
    assertThat(Keks.providers())
        .containsOnlyKeys(
            "file", "env", "passphrase-file", "passphrase-env", "tink-keyset", "test-kms");
    Kek kms = Keks.open("test-kms:projects/p/keys/k1");
    assertThat(kms.describe()).isEqualTo("test KMS key projects/p/keys/k1");
    byte[] wrapped = kms.wrap(new byte[] {7}, AAD);
    assertThat(Keks.open("test-kms:projects/p/keys/k1").unwrap(wrapped, AAD)).containsExactly(7);
    assertThatThrownBy(() -> Keks.open("test-kms:projects/p/keys/k2").unwrap(wrapped, AAD))
        .isInstanceOf(WrongKeyException.class);
  }
}
