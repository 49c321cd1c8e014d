package io.klio.dedup.repo;

import io.klio.storage.BlobKey;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ChunkRepository#verify} found.
 *
 * @param packs packs read
 * @param chunks chunks checked against their ids
 * @param bytes bytes read
 * @param problems every damaged chunk, pack or index entry; empty when the repository is sound
 */
public record VerifyReport(long packs, long chunks, long bytes, List<Problem> problems) {

  public VerifyReport {
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }

  /**
   * One problem: where (pack object and byte offset, -1 for the whole pack), which chunk when
   * known, and what is wrong.
   */
  public record Problem(BlobKey pack, long offset, Optional<ChunkId> chunk, String message) {
    @Override
    public String toString() {
      return pack
          + (offset >= 0 ? " offset " + offset : "")
          + chunk.map(c -> " chunk " + c).orElse("")
          + ": "
          + message;
    }
  }
}
