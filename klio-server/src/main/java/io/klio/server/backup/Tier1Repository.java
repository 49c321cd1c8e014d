package io.klio.server.backup;

import io.klio.api.ChunkSealer;
import io.klio.api.error.PermanentException;
import io.klio.crypto.KeyRing;
import io.klio.dedup.repo.ChunkRepository;
import io.klio.dedup.repo.RepositoryConfig;
import io.klio.dedup.repo.Sha256ChunkHasher;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk repository of Tier 1, at the store's root (docs/format.md): created with the default
 * configuration on the server's first start, opened afterwards. Encrypted (keyed chunk ids, sealed
 * chunks) exactly when the server has a key ring; an encrypted repository opened without its key,
 * or a plain one opened with a key, is refused.
 */
public final class Tier1Repository {

  private static final Logger LOG = LoggerFactory.getLogger(Tier1Repository.class);

  /**
   * Heap the server needs besides the chunk index: the WAL path's segment buffers, a pack being
   * built per running backup (up to the pack size, 32 MiB by default), gRPC's buffers.
   */
  static final long HEAP_BASELINE = 96L << 20;

  /** Bytes of heap per chunk in the in-memory index (docs/format.md, "Repository index"). */
  static final long INDEX_BYTES_PER_CHUNK = 48;

  private Tier1Repository() {}

  /**
   * The heap a server needs for a repository of {@code chunks} chunks: the baseline, and the index
   * twice (a refresh builds the merged index beside the one in use).
   */
  public static long heapNeeded(long chunks) {
    return HEAP_BASELINE + 2 * INDEX_BYTES_PER_CHUNK * chunks;
  }

  /**
   * Warns when the JVM's maximum heap ({@code maxHeap}) is smaller than {@link #heapNeeded} for the
   * repository as it is, naming the setting that raises it; true when it is enough.
   */
  public static boolean checkHeap(ChunkRepository repo, long maxHeap) {
    long chunks = repo.indexEntries();
    long needed = heapNeeded(chunks);
    if (maxHeap >= needed) {
      return true;
    }
    long neededMiB = (needed + (1 << 20) - 1) >> 20;
    LOG.warn(
        "the server's heap ({} MiB) is smaller than the {} MiB that Tier 1's chunk index of {}"
            + " chunks needs: backups may fail with out-of-memory errors. Start the server with a"
            + " larger heap: KLIO_SERVER_HEAP={}m (the ./klio launcher), or -Xmx in"
            + " KLIO_JAVA_OPTS",
        maxHeap >> 20,
        neededMiB,
        chunks,
        neededMiB + 32);
    return false;
  }

  public static ChunkRepository openOrCreate(BlobStore store, Optional<KeyRing> ring)
      throws IOException {
    var hasher = ring.map(KeyRing::chunkHasher).orElse(Sha256ChunkHasher.INSTANCE);
    ChunkSealer sealer = ring.map(KeyRing::chunkSealer).orElse(ChunkSealer.NONE);
    if (store.stat(BlobKey.of(ChunkRepository.CONFIG)).isEmpty()) {
      RepositoryConfig config = RepositoryConfig.defaults();
      if (ring.isPresent()) {
        config = config.withEncryption(hasher.name(), sealer.scheme());
      }
      LOG.info(
          "creating the chunk repository of Tier 1 ({}, {}, chunk ids {}, {})",
          config.chunker(),
          config.codec(),
          config.chunkId(),
          ring.isPresent() ? "encrypted" : "not encrypted");
      try {
        return ChunkRepository.create(store, "", config, hasher, sealer);
      } catch (PermanentException exists) {
        // created meanwhile by another process: open it below
      }
    }
    RepositoryConfig existing = ChunkRepository.readConfig(store, "");
    if (ring.isEmpty() && !existing.sealer().equals("none")) {
      throw new PermanentException(
          "the chunk repository of Tier 1 ("
              + store.describe()
              + ") is encrypted, but no encryption.kek is configured: configure the key it was"
              + " created with");
    }
    if (ring.isPresent() && existing.sealer().equals("none")) {
      throw new PermanentException(
          "the chunk repository of Tier 1 ("
              + store.describe()
              + ") was created without encryption, but encryption.kek is configured now: its"
              + " chunks cannot be re-keyed in place; remove encryption.kek or use a new Tier 1");
    }
    return ChunkRepository.open(store, "", hasher, sealer);
  }
}
