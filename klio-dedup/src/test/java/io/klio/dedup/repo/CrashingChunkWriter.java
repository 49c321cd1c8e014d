package io.klio.dedup.repo;

import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.util.List;

/**
 * Run in a child JVM by {@link ChunkRepositoryCrashIT}: stores files into the repository forever,
 * three per writer session, until it is killed. It prints {@code session <id>} once a session is
 * open, {@code durable <seed> <chunks>} after each flush returns, and {@code closed <id>} once the
 * session's close returned.
 */
public final class CrashingChunkWriter {

  public static void main(String[] args) throws Exception {
    long seed = Long.parseLong(args[1]);
    try (BlobStore store = BlobStores.open(args[0])) {
      ChunkRepository repo = ChunkRepository.open(store, "");
      while (true) {
        ChunkWriter w = repo.newWriter();
        say("session " + w.session());
        try (w) {
          for (int i = 0; i < 3; i++) {
            List<ChunkId> ids = Files.store(w, repo, Files.file(seed, size(seed)));
            w.flush();
            say("durable " + seed + " " + ids.size());
            seed++;
          }
        }
        say("closed " + w.session());
      }
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static int size(long seed) {
    return (1 << 20) + (int) (seed % 7) * 300_000;
  }
}
