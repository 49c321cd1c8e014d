package io.klio.dedup.repo;

import io.klio.api.ChunkSealer;
import io.klio.storage.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test data: files of mixed compressible and random content, stored as chunk lists. */
final class Files {

  private Files() {}

  /** Small chunks and packs so that a few MiB make many packs. */
  static RepositoryConfig smallConfig() {
    return RepositoryConfig.defaults()
        .withChunker("fastcdc(min=2048,avg=8192,max=32768)")
        .withPackSize(1 << 20);
  }

  /** An unencrypted repository with {@link #smallConfig()} at the store's root. */
  static ChunkRepository newRepo(BlobStore store) throws IOException {
    return ChunkRepository.create(
        store, "", smallConfig(), Sha256ChunkHasher.INSTANCE, ChunkSealer.NONE);
  }

  static byte[] file(long seed, int size) {
    Random r = new Random(seed);
    byte[] b = new byte[size];
    for (int i = 0; i < size; i += 4096) {
      int n = Math.min(4096, size - i);
      if (r.nextBoolean()) {
        byte[] block = new byte[n];
        r.nextBytes(block);
        System.arraycopy(block, 0, b, i, n);
      } else {
        byte v = (byte) r.nextInt();
        for (int j = 0; j < n; j++) {
          b[i + j] = (byte) (v + (j % 7)); // compressible
        }
      }
    }
    return b;
  }

  static List<ChunkId> store(ChunkWriter w, ChunkRepository repo, byte[] data) throws IOException {
    List<ChunkId> ids = new ArrayList<>();
    repo.chunker()
        .split(new ByteArrayInputStream(data), (b, off, len) -> ids.add(w.put(b, off, len)));
    return ids;
  }

  static byte[] read(ChunkRepository repo, List<ChunkId> ids) throws IOException {
    try (var in = repo.open(ids)) {
      return in.readAllBytes();
    }
  }
}
