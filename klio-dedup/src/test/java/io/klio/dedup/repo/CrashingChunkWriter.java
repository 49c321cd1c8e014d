package io.klio.dedup.repo;

import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.util.List;

/**
 * Run in a child JVM by {@link ChunkRepositoryCrashIT}: stores files into the repository forever,
 * printing {@code durable <seed>} after each flush returns, until it is killed.
 */
public final class CrashingChunkWriter {

  public static void main(String[] args) throws Exception {
    long seed = Long.parseLong(args[1]);
    try (BlobStore store = BlobStores.open(args[0])) {
      ChunkRepository repo = ChunkRepository.open(store, "");
      while (true) {
        try (ChunkWriter w = repo.newWriter()) {
          for (int i = 0; i < 3; i++) {
            List<ChunkId> ids = Files.store(w, repo, Files.file(seed, size(seed)));
            w.flush();
            System.out.println("durable " + seed + " " + ids.size());
            System.out.flush();
            seed++;
          }
        }
      }
    }
  }

  static int size(long seed) {
    return (1 << 20) + (int) (seed % 7) * 300_000;
  }
}
