package io.klio.dedup.repo;

import static io.klio.testkit.io.ByteArrays.indexOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.crypto.KeyRing;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository with keyed chunk ids and sealed chunks, pack indexes and index objects. */
class EncryptedRepositoryTest {

  @TempDir Path dir;
  BlobStore store;
  KeyRing ring;
  ChunkRepository repo;
  byte[] secret;
  List<ChunkId> ids;

  @BeforeEach
  void fill() throws IOException {
    store = BlobStores.open(dir.toUri().toString());
    UUID id = UUID.randomUUID();
    ring = KeyRing.generate(id);
    RepositoryConfig config =
        Files.smallConfig().withEncryption(ring.chunkHasher().name(), ring.chunkSealer().scheme());
    repo = ChunkRepository.create(store, "", config, ring.chunkHasher(), ring.chunkSealer());
    secret =
        "postgres row: the secret recipe is 42 spoons of salt\n"
            .repeat(20_000)
            .getBytes(StandardCharsets.UTF_8);
    try (ChunkWriter w = repo.newWriter()) {
      ids = Files.store(w, repo, secret);
    }
    repo.refresh();
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  @Test
  void roundTripsAndNothingStoredShowsThePlaintextOrItsPlainHash() throws IOException {
    assertThat(Files.read(repo, ids)).isEqualTo(secret);
    assertThat(repo.verify(Verifier.Progress.NONE).ok()).isTrue();
    byte[] plainId = Sha256ChunkHasher.INSTANCE.hash(secret, 0, 4096);
    byte[] needle = "secret recipe".getBytes(StandardCharsets.UTF_8);
    List<BlobInfo> all = new ArrayList<>();
    store.forEach("", all::add);
    for (BlobInfo info : all) {
      byte[] b = store.get(info.key()).readAllBytes();
      assertThat(indexOf(b, needle)).as(info.key() + " holds plaintext").isNegative();
      assertThat(indexOf(b, Arrays.copyOf(plainId, 8))).as(info.key().value()).isNegative();
    }
    assertThat(ids.get(0).toBytes()).isNotEqualTo(plainId);
  }

  @Test
  void anotherKeyRingOrNoKeyStopsCleanly() throws IOException {
    assertThatThrownBy(() -> ChunkRepository.open(store, ""))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("encrypted");
    KeyRing other = KeyRing.generate(UUID.randomUUID());
    assertThatThrownBy(
            () -> ChunkRepository.open(store, "", other.chunkHasher(), other.chunkSealer()))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("index/");
  }

  @Test
  void aPackMovedToAnotherKeyIsDetected() throws IOException {
    List<BlobInfo> packs = new ArrayList<>();
    store.forEach("packs/", packs::add);
    assertThat(packs).hasSizeGreaterThanOrEqualTo(1);
    byte[] content = store.get(packs.get(0).key()).readAllBytes();
    io.klio.storage.BlobKey elsewhere =
        io.klio.storage.BlobKey.of("packs/ff/ff" + packs.get(0).key().name().substring(2));
    store.put(elsewhere, new java.io.ByteArrayInputStream(content));
    VerifyReport r = repo.verify(Verifier.Progress.NONE);
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.pack()).isEqualTo(elsewhere);
              assertThat(p.message()).contains("authentication failed");
            });
  }
}
