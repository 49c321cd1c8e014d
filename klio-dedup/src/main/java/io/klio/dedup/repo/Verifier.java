package io.klio.dedup.repo;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads every pack, opens every chunk record and checks it against its id, and checks that every
 * index entry points at a record of the same id. One pack in memory at a time.
 */
public final class Verifier {

  /** Receives progress after each pack. */
  @FunctionalInterface
  public interface Progress {
    void packDone(long done, long total, long bytes);

    Progress NONE = (d, t, b) -> {};
  }

  private final ChunkRepository repo;

  Verifier(ChunkRepository repo) {
    this.repo = repo;
  }

  VerifyReport run(Progress progress) throws IOException {
    ChunkRepository.Snapshot s = ChunkRepository.Snapshot.load(repo);
    Map<String, List<Integer>> entriesByPack = new HashMap<>();
    for (int i = 0; i < s.table.size; i++) {
      entriesByPack.computeIfAbsent(s.table.packs[s.table.pack[i]], k -> new ArrayList<>()).add(i);
    }
    List<BlobInfo> packs = new ArrayList<>();
    for (BlobInfo info : repo.listUnder("packs/")) {
      if (PackFormat.isPackName(info.key().name())) {
        packs.add(info);
      }
    }
    List<VerifyReport.Problem> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long chunks = 0;
    long bytes = 0;
    long done = 0;
    for (BlobInfo info : packs) {
      String hex = info.key().name();
      seen.add(hex);
      byte[] pack;
      try {
        pack = repo.readAll(info.key());
      } catch (BlobNotFoundException e) {
        continue; // deleted by a garbage collection while we listed
      }
      bytes += pack.length;
      chunks +=
          checkPack(info.key(), pack, entriesByPack.getOrDefault(hex, List.of()), s, problems);
      progress.packDone(++done, packs.size(), bytes);
    }
    for (Map.Entry<String, List<Integer>> e : entriesByPack.entrySet()) {
      if (!seen.contains(e.getKey()) && !s.condemned.contains(e.getKey())) {
        BlobKey key = PackFormat.key(repo.prefix(), e.getKey());
        problems.add(
            new VerifyReport.Problem(
                key,
                -1,
                Optional.empty(),
                "the index names this pack for "
                    + e.getValue().size()
                    + " chunks, but it does not exist"));
      }
    }
    return new VerifyReport(done, chunks, bytes, problems);
  }

  private long checkPack(
      BlobKey key,
      byte[] pack,
      List<Integer> indexEntries,
      ChunkRepository.Snapshot s,
      List<VerifyReport.Problem> problems)
      throws IOException {
    PackFormat.PackIndex index;
    try {
      PackFormat.readHeader(key, pack);
      if (pack.length < PackFormat.HEADER + PackFormat.FOOTER) {
        throw new PermanentException(key + ": too short for a pack");
      }
      byte[] footer =
          java.util.Arrays.copyOfRange(pack, pack.length - PackFormat.FOOTER, pack.length);
      int tl = PackFormat.trailerLength(key, footer, pack.length);
      index =
          PackFormat.readTrailer(
              key, pack, pack.length - PackFormat.FOOTER - tl, tl, repo.sealer(), pack.length);
    } catch (PermanentException e) {
      problems.add(new VerifyReport.Problem(key, -1, Optional.empty(), e.getMessage()));
      return 0;
    }
    Map<ChunkId, Integer> offsets = new HashMap<>();
    for (int i = 0; i < index.size(); i++) {
      ChunkId id = index.id(i);
      offsets.put(id, index.offsets[i]);
      try {
        repo.openRecord(
            key, index.offsets[i], id, pack, index.offsets[i], index.lengths[i], index.raws[i]);
      } catch (PermanentException e) {
        problems.add(
            new VerifyReport.Problem(key, index.offsets[i], Optional.of(id), e.getMessage()));
      }
    }
    for (int i : indexEntries) {
      ChunkId id = s.table.id(i);
      Integer at = offsets.get(id);
      if (at == null || at != s.table.offset[i]) {
        problems.add(
            new VerifyReport.Problem(
                key,
                s.table.offset[i],
                Optional.of(id),
                "the repository index points here, but the pack holds "
                    + (at == null ? "no such chunk" : "it at offset " + at)));
      }
    }
    return index.size();
  }
}
