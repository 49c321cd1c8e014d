package io.klio.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.dedup.repo.ChunkRepository;
import io.klio.dedup.repo.ChunkWriter;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Tier1RepositoryTest {

  @TempDir Path dir;

  @Test
  void heapCheckCountsTheIndexTwiceOverTheBaseline() throws Exception {
    try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
      ChunkRepository repo = Tier1Repository.openOrCreate(store, Optional.empty());
      try (ChunkWriter w = repo.newWriter()) {
        for (int i = 0; i < 3; i++) {
          w.put(new byte[] {(byte) i, 1, 2, 3}, 0, 4);
        }
      }
      repo.refresh();
      long needed = Tier1Repository.heapNeeded(3);
      assertThat(needed).isEqualTo(Tier1Repository.HEAP_BASELINE + 2 * 48 * 3);
      assertThat(Tier1Repository.checkHeap(repo, needed)).isTrue();
      assertThat(Tier1Repository.checkHeap(repo, needed - 1)).isFalse();
    }
  }
}
