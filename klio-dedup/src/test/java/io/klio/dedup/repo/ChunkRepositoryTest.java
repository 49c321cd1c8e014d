package io.klio.dedup.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.ChunkSealer;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkRepositoryTest {

  @TempDir Path dir;
  BlobStore store;

  @BeforeEach
  void open() throws IOException {
    store = BlobStores.open(dir.toUri().toString());
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  @Test
  void storesAndReassemblesFilesAcrossManyPacks() throws IOException {
    ChunkRepository repo =
        ChunkRepository.create(
            store, "repo/", Files.smallConfig(), Sha256ChunkHasher.INSTANCE, ChunkSealer.NONE);
    byte[] a = Files.file(1, 6 << 20);
    List<ChunkId> ids;
    try (ChunkWriter w = repo.newWriter()) {
      ids = Files.store(w, repo, a);
      assertThat(w.stats().packs()).as("packs stored before flush").isGreaterThan(0);
    }
    repo.refresh();
    assertThat(Files.read(repo, ids)).isEqualTo(a);
    assertThat(repo.stats().packs()).isGreaterThanOrEqualTo(3);
    assertThat(repo.stats().storedBytes()).isLessThan(a.length); // half of it compresses
    // a new handle on the same store finds everything
    ChunkRepository again = ChunkRepository.open(store, "repo/");
    assertThat(Files.read(again, ids)).isEqualTo(a);
    assertThat(again.verify(Verifier.Progress.NONE).ok()).isTrue();
  }

  @Test
  void putIsIdempotentAndMissingAnswersInBatches() throws IOException {
    ChunkRepository repo = Files.newRepo(store);
    byte[] a = Files.file(2, 1 << 20);
    List<ChunkId> first;
    try (ChunkWriter w = repo.newWriter()) {
      first = Files.store(w, repo, a);
      long stored = w.stats().newChunks();
      assertThat(Files.store(w, repo, a)).isEqualTo(first);
      assertThat(w.stats().newChunks()).as("second put of the same file").isEqualTo(stored);
      assertThat(w.missing(first)).isEmpty();
    }
    ChunkId unknown = ChunkId.of(new byte[32]);
    List<ChunkId> asked = new ArrayList<>(first);
    asked.add(1, unknown);
    assertThat(repo.missing(asked)).as("snapshot before refresh").hasSize(asked.size());
    repo.refresh();
    assertThat(repo.missing(asked)).containsExactly(unknown);
    try (ChunkWriter w = repo.newWriter()) {
      Files.store(w, repo, a);
      assertThat(w.stats().newChunks()).as("a later session stores nothing again").isZero();
      assertThat(w.stats().knownChunks()).isEqualTo(first.size());
    }
    assertThatThrownBy(() -> repo.read(unknown))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining(unknown.toString());
  }

  @Test
  void putWithAnIdRefusesDataThatDoesNotMatch() throws IOException {
    ChunkRepository repo = Files.newRepo(store);
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    try (ChunkWriter w = repo.newWriter()) {
      ChunkId wrong = ChunkId.of(new byte[32]);
      assertThatThrownBy(() -> w.put(wrong, data, 0, data.length))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("not stored");
      ChunkId right = ChunkId.of(Sha256ChunkHasher.INSTANCE.hash(data, 0, data.length));
      w.put(right, data, 0, data.length);
    }
    repo.refresh();
    assertThat(repo.stats().chunks()).isEqualTo(1);
  }

  @Test
  void severalThreadsAndSeveralWritersAtOnce() throws Exception {
    ChunkRepository repo = Files.newRepo(store);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (ChunkWriter w1 = repo.newWriter();
        ChunkWriter w2 = repo.newWriter()) {
      List<Future<List<ChunkId>>> futures = new ArrayList<>();
      List<byte[]> files = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        // files 0..3 and 4..7 are the same contents: writers race on identical chunks
        byte[] f = Files.file(10 + (i % 4), 2 << 20);
        files.add(f);
        ChunkWriter w = i % 2 == 0 ? w1 : w2;
        futures.add(pool.submit(() -> Files.store(w, repo, f)));
      }
      List<List<ChunkId>> lists = new ArrayList<>();
      for (Future<List<ChunkId>> f : futures) {
        lists.add(f.get());
      }
      w1.flush();
      w2.flush();
      repo.refresh();
      for (int i = 0; i < files.size(); i++) {
        assertThat(Files.read(repo, lists.get(i))).isEqualTo(files.get(i));
      }
    } finally {
      pool.shutdownNow();
    }
    VerifyReport report = repo.verify(Verifier.Progress.NONE);
    assertThat(report.problems()).isEmpty();
    assertThat(report.chunks()).isGreaterThan(0);
    assertThat(store.list("sessions/", java.util.Optional.empty(), 10).objects())
        .as("closed sessions are removed")
        .isEmpty();
  }

  @Test
  void configIsWrittenOnceAndCheckedOnOpen() throws IOException {
    ChunkRepository.create(
        store, "r/", RepositoryConfig.defaults(), Sha256ChunkHasher.INSTANCE, ChunkSealer.NONE);
    assertThatThrownBy(
            () ->
                ChunkRepository.create(
                    store,
                    "r/",
                    RepositoryConfig.defaults(),
                    Sha256ChunkHasher.INSTANCE,
                    ChunkSealer.NONE))
        .hasMessageContaining("exists here already");
    assertThat(ChunkRepository.readConfig(store, "r/").chunker())
        .isEqualTo(RepositoryConfig.DEFAULT_CHUNKER);

    String text =
        new String(
            store.get(BlobKey.of("r/klio-repository")).readAllBytes(), StandardCharsets.UTF_8);
    store.put(
        BlobKey.of("r/klio-repository"),
        new ByteArrayInputStream(
            text.replace("format=1", "format=2").getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> ChunkRepository.open(store, "r/"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("r/klio-repository")
        .hasMessageContaining("format 2 is not supported");
    store.put(
        BlobKey.of("r/klio-repository"),
        new ByteArrayInputStream((text + "color=blue\n").getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> ChunkRepository.open(store, "r/"))
        .hasMessageContaining("unknown field 'color'");
    assertThatThrownBy(() -> ChunkRepository.open(store, "elsewhere/"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no chunk repository here");
  }

  @Test
  void unknownFormatVersionsOfPacksAndIndexesStopCleanly() throws IOException {
    ChunkRepository repo = Files.newRepo(store);
    try (ChunkWriter w = repo.newWriter()) {
      Files.store(w, repo, Files.file(3, 200_000));
    }
    BlobKey index = store.list("index/", java.util.Optional.empty(), 10).objects().get(0).key();
    byte[] b = store.get(index).readAllBytes();
    b[9] = 7; // version 7
    store.put(index, new ByteArrayInputStream(b));
    assertThatThrownBy(() -> ChunkRepository.open(store, ""))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining(index.value())
        .hasMessageContaining("version 7");
  }

  @Test
  void theParallelIngesterGivesTheChunkListInOrderAndStopsOnFailure() throws IOException {
    ChunkRepository repo = Files.newRepo(store);
    byte[] a = Files.file(21, 5 << 20);
    List<ChunkId> sequential = new ArrayList<>();
    repo.chunker()
        .split(
            new ByteArrayInputStream(a),
            (b, off, len) ->
                sequential.add(ChunkId.of(Sha256ChunkHasher.INSTANCE.hash(b, off, len))));
    List<ChunkId> parallel;
    try (ChunkWriter w = repo.newWriter();
        ChunkingIngester ingester = new ChunkingIngester(repo, w, 3)) {
      parallel = ingester.ingest(new ByteArrayInputStream(a));
    }
    assertThat(parallel).isEqualTo(sequential);
    repo.refresh();
    assertThat(Files.read(repo, parallel)).isEqualTo(a);

    // a failing source stream: the error reaches the caller, nothing is half-reported
    try (ChunkWriter w = repo.newWriter();
        ChunkingIngester ingester = new ChunkingIngester(repo, w, 2)) {
      java.io.InputStream broken =
          new java.io.SequenceInputStream(
              new ByteArrayInputStream(a, 0, 1 << 20),
              new java.io.InputStream() {
                @Override
                public int read() throws IOException {
                  throw new IOException("disk read error at 1 MiB");
                }
              });
      assertThatThrownBy(() -> ingester.ingest(broken)).hasMessageContaining("disk read error");
    }
  }
}
