package io.klio.dedup.bench;

import io.klio.api.ChunkSealer;
import io.klio.dedup.repo.ChunkRepository;
import io.klio.dedup.repo.ChunkWriter;
import io.klio.dedup.repo.ChunkingIngester;
import io.klio.dedup.repo.RepositoryConfig;
import io.klio.dedup.repo.Sha256ChunkHasher;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ingests a PostgreSQL data directory (what a base backup reads) into an fs chunk repository,
 * creating it on first use, and prints one line: files, bytes read, chunks and bytes stored, time.
 * Used by bench/dedup-ingest.sh.
 *
 * <pre>IngestBench REPO-DIR DATA-DIR THREADS [CHUNKER]</pre>
 */
public final class IngestBench {

  public static void main(String[] args) throws Exception {
    Path repoDir = Path.of(args[0]);
    Path data = Path.of(args[1]);
    int threads = Integer.parseInt(args[2]);
    try (BlobStore store = BlobStores.open(repoDir.toUri().toString())) {
      ChunkRepository repo;
      if (Files.exists(repoDir.resolve(ChunkRepository.CONFIG))) {
        repo = ChunkRepository.open(store, "");
      } else {
        RepositoryConfig config = RepositoryConfig.defaults();
        if (args.length > 3) {
          config = config.withChunker(args[3]);
        }
        repo =
            ChunkRepository.create(store, "", config, Sha256ChunkHasher.INSTANCE, ChunkSealer.NONE);
      }
      long start = System.nanoTime();
      long bytes = 0;
      int files = 0;
      ChunkWriter.Stats stats;
      try (ChunkWriter w = repo.newWriter();
          ChunkingIngester ingester = new ChunkingIngester(repo, w, threads)) {
        for (Path p : ChunkSizeStudy.files(data)) {
          try (InputStream in = Files.newInputStream(p)) {
            ingester.ingest(in);
          }
          bytes += Files.size(p);
          files++;
        }
        w.flush();
        stats = w.stats();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "files=%d bytes=%d new_chunks=%d new_bytes=%d stored_bytes=%d known_chunks=%d"
              + " packs=%d seconds=%.2f mib_per_s=%.1f%n",
          files,
          bytes,
          stats.newChunks(),
          stats.newBytes(),
          stats.storedBytes(),
          stats.knownChunks(),
          stats.packs(),
          seconds,
          bytes / seconds / (1 << 20));
    }
  }
}
