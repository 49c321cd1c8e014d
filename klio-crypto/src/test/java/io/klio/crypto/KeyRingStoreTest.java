package io.klio.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.format.ObjectHeader;
import io.klio.api.format.ObjectType;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key rings stored in a real filesystem repository: creation, wrong keys, every rotation. */
class KeyRingStoreTest {

  @TempDir Path dir;
  BlobStore store;
  KeyRingStore rings;
  byte[] kekBytes;
  Kek kek;

  @BeforeEach
  void open() throws Exception {
    store = BlobStores.open(dir.resolve("repo").toUri().toString());
    rings = new KeyRingStore(store);
    kekBytes = AesGcm.random(32);
    kek = Keks.open("file:" + Files.write(dir.resolve("kek"), kekBytes));
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  private void put(SealedObjects s, String key, String payload) throws Exception {
    BlobKey k = BlobKey.of(key);
    byte[] b = payload.getBytes(StandardCharsets.UTF_8);
    store.put(k, s.seal(k, ObjectType.BACKUP_MANIFEST, 0, b.length, new ByteArrayInputStream(b)));
  }

  private String get(SealedObjects s, String key) throws Exception {
    BlobKey k = BlobKey.of(key);
    try (InputStream in = store.get(k)) {
      return new String(s.open(k, in).payload().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private List<String> keys() throws Exception {
    List<String> l = new ArrayList<>();
    store.forEach("", (BlobInfo o) -> l.add(o.key().value()));
    return l;
  }

  @Test
  void createLoadAndRefuseASecondRing() throws Exception {
    KeyRing created = rings.create(kek);
    assertThat(created.version()).isEqualTo(1);
    KeyRing loaded = rings.load(kek);
    assertThat(loaded.repositoryId()).isEqualTo(created.repositoryId());
    assertThat(loaded.activeKey().id()).isEqualTo(created.activeKey().id());
    assertThatThrownBy(() -> rings.create(kek)).hasMessageContaining("already has a key ring");
  }

  @Test
  void aWrongKekIsATypedErrorNamingRepositoryAndWritesNothing() throws Exception {
    KeyRing ring = rings.create(kek);
    List<String> before = keys();
    Kek wrong = Keks.open("file:" + Files.write(dir.resolve("wrong"), AesGcm.random(32)));
    assertThatThrownBy(() -> rings.load(wrong))
        .isInstanceOf(WrongKeyException.class)
        .hasMessageContaining(ring.repositoryId().toString())
        .hasMessageContaining("keys/keyring-0000000001")
        .hasMessageContaining(dir.resolve("wrong").toString());
    assertThatThrownBy(() -> rings.rotateDataKey(wrong)).isInstanceOf(WrongKeyException.class);
    assertThatThrownBy(() -> rings.rotateKek(wrong, kek)).isInstanceOf(WrongKeyException.class);
    assertThat(keys()).isEqualTo(before);
  }

  @Test
  void kekRotationRewrapsOnlyTheRing() throws Exception {
    KeyRing ring = rings.create(kek);
    put(SealedObjects.encrypted(ring), "packs/aa/one", "payload one");
    Kek next = Keks.open("file:" + Files.write(dir.resolve("next"), AesGcm.random(32)));
    KeyRing rotated = rings.rotateKek(kek, next);
    assertThat(keys()).containsExactly("keys/keyring-0000000002", "packs/aa/one");
    assertThat(get(SealedObjects.encrypted(rings.load(next)), "packs/aa/one"))
        .isEqualTo("payload one");
    assertThat(rotated.activeKey().id()).isEqualTo(ring.activeKey().id());
    assertThatThrownBy(() -> rings.load(kek)).isInstanceOf(WrongKeyException.class);
  }

  @Test
  void dataKeyRotationKeepsOldObjectsReadable() throws Exception {
    KeyRing ring = rings.create(kek);
    put(SealedObjects.encrypted(ring), "a", "old");
    KeyRing rotated = rings.rotateDataKey(kek);
    assertThat(rotated.activeKey().id()).isNotEqualTo(ring.activeKey().id());
    assertThat(rotated.key(ring.activeKey().id()).orElseThrow().state())
        .isEqualTo(DataKey.State.RETIRED);
    SealedObjects sealed = SealedObjects.encrypted(rings.load(kek));
    put(sealed, "b", "new");
    assertThat(get(sealed, "a")).isEqualTo("old");
    assertThat(get(sealed, "b")).isEqualTo("new");
    try (InputStream in = store.get(BlobKey.of("b"))) {
      assertThat(ObjectHeader.read("b", in).keyId()).isEqualTo(rotated.activeKey().id());
    }
  }

  @Test
  void reEncryptionRewritesObjectsOfACompromisedKey() throws Exception {
    KeyRing ring = rings.create(kek);
    int compromised = ring.activeKey().id();
    for (int i = 0; i < 5; i++) {
      put(SealedObjects.encrypted(ring), "packs/x/" + i, "payload " + i);
    }
    long rewritten = rings.reEncrypt(kek, compromised, "");
    assertThat(rewritten).isEqualTo(5);
    KeyRing after = rings.load(kek);
    assertThat(after.key(compromised)).isEmpty();
    SealedObjects sealed = SealedObjects.encrypted(after);
    for (int i = 0; i < 5; i++) {
      assertThat(get(sealed, "packs/x/" + i)).isEqualTo("payload " + i);
    }
    // an object still naming the removed key cannot be opened, and says which key is missing
    BlobKey stale = BlobKey.of("stale");
    store.put(
        stale,
        SealedObjects.encrypted(ring)
            .seal(
                stale, ObjectType.BACKUP_MANIFEST, 0, 1, new ByteArrayInputStream(new byte[] {1})));
    assertThatThrownBy(() -> get(sealed, "stale"))
        .isInstanceOf(WrongKeyException.class)
        .hasMessageContaining(Integer.toUnsignedString(compromised))
        .hasMessageContaining(after.repositoryId().toString());
  }

  @Test
  void keyMaterialNeverAppearsInTextualForms() throws Exception {
    KeyRing ring = rings.create(kek);
    byte[] serialized = ring.serialize();
    List<String> texts = new ArrayList<>();
    texts.add(ring.toString());
    texts.add(kek.toString());
    texts.add(kek.describe());
    ring.keys().forEach(k -> texts.add(k.toString()));
    texts.add(ring.chunkHasher().toString());
    Kek wrong = Keks.open("file:" + Files.write(dir.resolve("wrong"), AesGcm.random(32)));
    try {
      rings.load(wrong);
    } catch (WrongKeyException e) {
      texts.add(e.getMessage());
    }
    String all = String.join("\n", texts);
    assertThat(all).contains(ring.repositoryId().toString());
    assertThat(all)
        .doesNotContain(HexFormat.of().formatHex(kekBytes))
        .doesNotContain(Base64.getEncoder().encodeToString(kekBytes));
    // no 8-byte window of the serialized secrets shows up in hex or base64
    for (int i = 0; i + 8 <= serialized.length; i += 8) {
      byte[] w = java.util.Arrays.copyOfRange(serialized, i, i + 8);
      if (java.util.Arrays.equals(w, new byte[8])) {
        continue;
      }
      assertThat(all).doesNotContain(HexFormat.of().formatHex(w));
    }
  }

  @Test
  void keyedChunkIdsDependOnTheRing() throws Exception {
    KeyRing a = rings.create(kek);
    KeyRing b = KeyRing.generate(java.util.UUID.randomUUID());
    byte[] data = "the same chunk".getBytes(StandardCharsets.UTF_8);
    byte[] ia = a.chunkHasher().hash(data, 0, data.length);
    assertThat(ia).hasSize(32).isEqualTo(rings.load(kek).chunkHasher().hash(data, 0, data.length));
    assertThat(ia).isNotEqualTo(b.chunkHasher().hash(data, 0, data.length));
    assertThat(ia).isNotEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(a.chunkHasher().name()).isEqualTo("hmac-sha256");
  }

  @Test
  void theChunkIdKeyIsTheHmacKeyOfTheHasherAndNotTheSecret() throws Exception {
    KeyRing a = rings.create(kek);
    byte[] data = "a chunk a client hashes".getBytes(StandardCharsets.UTF_8);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(a.chunkIdKey(), "HmacSHA256"));
    assertThat(mac.doFinal(data)).isEqualTo(a.chunkHasher().hash(data, 0, data.length));
    assertThat(java.util.HexFormat.of().formatHex(a.serialize()))
        .as("the ring does not contain the derived key")
        .doesNotContain(java.util.HexFormat.of().formatHex(a.chunkIdKey()));
  }
}
