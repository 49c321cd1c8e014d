package io.klio.dedup.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifierTest {

  @TempDir Path dir;
  BlobStore store;
  ChunkRepository repo;
  List<ChunkId> ids;

  @BeforeEach
  void fill() throws IOException {
    store = BlobStores.open(dir.toUri().toString());
    repo = Files.newRepo(store);
    try (ChunkWriter w = repo.newWriter()) {
      ids = Files.store(w, repo, Files.file(5, 3 << 20));
    }
    repo.refresh();
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private List<BlobInfo> packs() throws IOException {
    List<BlobInfo> packs = new ArrayList<>();
    store.forEach("packs/", packs::add);
    return packs;
  }

  @Test
  void aSoundRepositoryHasNoProblemsAndProgressIsReported() throws IOException {
    List<Long> done = new ArrayList<>();
    VerifyReport r = repo.verify((d, total, bytes) -> done.add(d));
    assertThat(r.ok()).isTrue();
    assertThat(r.chunks()).isEqualTo(repo.stats().chunks());
    assertThat(done).hasSize(packs().size()).last().isEqualTo((long) packs().size());
  }

  @Test
  void aFlippedByteInAChunkIsReportedByPackOffsetAndChunk() throws IOException {
    ChunkRepository.Location loc = repo.snapshot().locate(ids.get(3), true).orElseThrow();
    BlobInfo pack =
        packs().stream().filter(p -> p.key().name().equals(loc.pack())).findFirst().orElseThrow();
    flip(pack, loc.offset() + loc.length() / 2);

    VerifyReport r = repo.verify(Verifier.Progress.NONE);
    assertThat(r.problems()).hasSize(1);
    VerifyReport.Problem p = r.problems().get(0);
    assertThat(p.pack()).isEqualTo(pack.key());
    assertThat(p.offset()).isEqualTo(loc.offset());
    assertThat(p.chunk()).contains(ids.get(3));
    // a read of that chunk fails cleanly, naming the same place, never returns bad bytes
    assertThatThrownBy(() -> repo.read(ids.get(3)))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining(pack.key().value())
        .hasMessageContaining("offset " + loc.offset());
    assertThatThrownBy(() -> Files.read(repo, ids)).isInstanceOf(PermanentException.class);
  }

  @Test
  void aDamagedPackIndexAndAMissingPackAreReported() throws IOException {
    List<BlobInfo> packs = packs();
    BlobInfo damaged = packs.get(0);
    flip(damaged, damaged.size() - 20); // inside the sealed pack index
    BlobInfo gone = packs.get(1);
    store.delete(gone.key());

    VerifyReport r = repo.verify(Verifier.Progress.NONE);
    assertThat(r.problems())
        .anySatisfy(
            p -> {
              assertThat(p.pack()).isEqualTo(damaged.key());
              assertThat(p.message()).contains("pack index");
            })
        .anySatisfy(
            p -> {
              assertThat(p.pack()).isEqualTo(gone.key());
              assertThat(p.message()).contains("does not exist");
            });
  }

  private void flip(BlobInfo object, long at) throws IOException {
    try (RandomAccessFile f =
        new RandomAccessFile(dir.resolve(object.key().value()).toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x20);
    }
  }
}
