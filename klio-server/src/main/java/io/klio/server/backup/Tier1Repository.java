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

  private Tier1Repository() {}

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
