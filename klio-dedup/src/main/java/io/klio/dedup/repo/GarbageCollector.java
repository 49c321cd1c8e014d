package io.klio.dedup.repo;

import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.ConditionalPut;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection in two phases, safe against writers at work (docs/format.md, "Garbage
 * collection"):
 *
 * <ol>
 *   <li><b>Mark and condemn.</b> From the live chunk ids (the caller reads them from its live
 *       manifests), find packs with no live chunk, and packs whose live fraction is below the
 *       repack threshold; copy the live chunks of the latter into new packs; write a condemned list
 *       naming all of them. Writer sessions that start after the list exists treat its chunks as
 *       missing and store them again, so they never come to rely on a condemned pack.
 *   <li><b>Sweep.</b> A condemned list is swept only when no open writer session started before it
 *       (each session records the lists it saw; a session without a heartbeat for {@link
 *       ChunkRepository#sessionStaleAfter} counts as crashed). The live ids are read again, which
 *       now include the manifests of those earlier sessions; a condemned pack holding a live chunk
 *       that exists nowhere else is rescued, the others are deleted, and the index is rewritten
 *       without them.
 * </ol>
 *
 * Chunks written after the mark began are never touched: they live in packs that no condemned list
 * names. Only one collection runs at a time ({@code gc/lock}).
 */
public final class GarbageCollector {

  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CONDEMNED_HEADER = "klio-condemned-packs 1";
  static final int MAX_INDEX_ENTRIES = 1 << 20;

  /** The live chunk ids: read from the live manifests, once per phase. */
  @FunctionalInterface
  public interface LiveChunks {
    void forEach(Consumer<ChunkId> sink) throws IOException;
  }

  /**
   * @param repackBelow repack a pack whose live bytes are below this fraction of its bytes
   * @param sweep sweep in the same run when no earlier writer session is open
   * @param lockStaleAfter a lock older than this was left by a crashed collection
   */
  public record Options(double repackBelow, boolean sweep, Duration lockStaleAfter) {
    public Options {
      if (!(repackBelow >= 0 && repackBelow <= 1)) {
        throw new IllegalArgumentException("repackBelow must be within 0..1, not " + repackBelow);
      }
    }

    public static Options defaults() {
      return new Options(0.5, true, Duration.ofHours(6));
    }
  }

  private final ChunkRepository repo;
  private final Options options;

  GarbageCollector(ChunkRepository repo, Options options) {
    this.repo = repo;
    this.options = options;
  }

  GcReport run(LiveChunks live) throws IOException {
    BlobKey lock = repo.key("gc/lock");
    acquire(lock);
    try {
      int repaired = repairOrphans();
      Sweep first = sweep(live);
      Mark mark = mark(live);
      Sweep second = options.sweep() ? sweep(live) : new Sweep(0, 0, 0, first.deferred);
      GcReport r =
          new GcReport(
              mark.liveChunks,
              repaired,
              mark.condemned,
              mark.repackedChunks,
              mark.repackedBytes,
              first.deleted + second.deleted,
              first.freed + second.freed,
              first.rescued + second.rescued,
              second.deferred);
      LOG.info("garbage collection of {}: {}", repo.where(repo.prefix()), r);
      return r;
    } finally {
      repo.store().delete(lock);
    }
  }

  private void acquire(BlobKey lock) throws IOException {
    byte[] body = ("started=" + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
    for (int attempt = 0; attempt < 2; attempt++) {
      boolean got;
      if (repo.store() instanceof ConditionalPut c) {
        got = c.putIfAbsent(lock, new ByteArrayInputStream(body));
      } else {
        got = repo.store().stat(lock).isEmpty();
        if (got) {
          repo.store().put(lock, new ByteArrayInputStream(body));
        }
      }
      if (got) {
        return;
      }
      var held = repo.store().stat(lock);
      if (held.isPresent()
          && held.get().lastModified().isBefore(Instant.now().minus(options.lockStaleAfter()))) {
        LOG.warn(
            "removing stale garbage collection lock {} from {}", lock, held.get().lastModified());
        repo.store().delete(lock);
        continue;
      }
      throw new RetryableException(
          repo.where(lock.value())
              + ": another garbage collection is running (since "
              + held.map(BlobInfo::lastModified).orElse(null)
              + "); wait for it, or delete this object if that collection crashed");
    }
    throw new RetryableException(repo.where(lock.value()) + ": could not take the lock");
  }

  // ---- mark

  private record Mark(long liveChunks, int condemned, long repackedChunks, long repackedBytes) {}

  private Mark mark(LiveChunks live) throws IOException {
    ChunkIdSet liveSet = collect(live);
    ChunkRepository.Snapshot s = ChunkRepository.Snapshot.load(repo);
    IndexTable t = s.table;
    long[] total = new long[t.packs.length];
    long[] liveBytes = new long[t.packs.length];
    int[] home = new int[t.size];
    java.util.Arrays.fill(home, -1);
    for (int i = 0; i < t.size; ) {
      int j = i;
      int first = -1;
      while (j < t.size && (j == i || sameId(t, i, j))) {
        if (first < 0 && !s.condemned.contains(t.packs[t.pack[j]])) {
          first = j;
        }
        j++;
      }
      boolean isLive = liveSet.contains(t.id(i));
      for (int k = i; k < j; k++) {
        total[t.pack[k]] += t.length[k];
        home[k] = isLive && k == first ? 1 : 0;
        if (home[k] == 1) {
          liveBytes[t.pack[k]] += t.length[k];
        }
      }
      i = j;
    }
    List<String> condemned = new ArrayList<>();
    Set<Integer> repack = new HashSet<>();
    for (int p = 0; p < t.packs.length; p++) {
      if (s.condemned.contains(t.packs[p])) {
        continue;
      }
      if (liveBytes[p] == 0) {
        condemned.add(t.packs[p]);
      } else if (liveBytes[p] < options.repackBelow() * total[p]) {
        repack.add(p);
        condemned.add(t.packs[p]);
      }
    }
    long copied = 0;
    long copiedBytes = 0;
    if (!repack.isEmpty()) {
      try (ChunkWriter w = repo.newWriter()) {
        for (int i = 0; i < t.size; i++) {
          if (home[i] == 1 && repack.contains(t.pack[i])) {
            ChunkId id = t.id(i);
            byte[] data =
                repo.readAt(
                    id,
                    new ChunkRepository.Location(
                        t.packs[t.pack[i]], t.offset[i], t.length[i], t.raw[i]));
            w.putCopy(id, data);
            copied++;
            copiedBytes += t.length[i];
          }
        }
      }
    }
    if (!condemned.isEmpty()) {
      StringBuilder body = new StringBuilder(CONDEMNED_HEADER).append('\n');
      condemned.forEach(h -> body.append(h).append('\n'));
      byte[] rnd = new byte[4];
      RANDOM.nextBytes(rnd);
      BlobKey key =
          repo.key(
              String.format(
                  "gc/condemned-%013d-%s",
                  System.currentTimeMillis(), PackFormat.HEX.formatHex(rnd)));
      repo.store()
          .put(key, new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));
    }
    return new Mark(liveSet.size(), condemned.size(), copied, copiedBytes);
  }

  private static boolean sameId(IndexTable t, int i, int j) {
    return java.util.Arrays.equals(
        t.ids,
        i * ChunkId.LENGTH,
        (i + 1) * ChunkId.LENGTH,
        t.ids,
        j * ChunkId.LENGTH,
        (j + 1) * ChunkId.LENGTH);
  }

  private static ChunkIdSet collect(LiveChunks live) throws IOException {
    ChunkIdSet set = new ChunkIdSet();
    live.forEach(set::add);
    return set;
  }

  // ---- sweep

  private record Sweep(int deleted, long freed, int rescued, int deferred) {}

  private Sweep sweep(LiveChunks live) throws IOException {
    ChunkRepository.Snapshot s = ChunkRepository.Snapshot.load(repo);
    if (s.condemnedLists.isEmpty()) {
      return new Sweep(0, 0, 0, 0);
    }
    List<Set<String>> openSessionsSaw = openSessions();
    List<BlobKey> eligible = new ArrayList<>();
    Set<String> pending = new HashSet<>();
    Set<String> doomed = new HashSet<>();
    for (BlobKey list : s.condemnedLists) {
      List<String> packs;
      try {
        packs = readCondemned(repo, list);
      } catch (BlobNotFoundException gone) {
        continue;
      }
      boolean safe = openSessionsSaw.stream().allMatch(seen -> seen.contains(list.name()));
      if (safe) {
        eligible.add(list);
        doomed.addAll(packs);
      } else {
        pending.addAll(packs);
      }
    }
    int deferred = s.condemnedLists.size() - eligible.size();
    if (eligible.isEmpty()) {
      return new Sweep(0, 0, 0, deferred);
    }
    ChunkIdSet liveSet = collect(live);
    IndexTable t = s.table;
    Set<String> rescued = new HashSet<>();
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int i = 0; i < t.size; ) {
        int j = i;
        boolean safeCopy = false;
        while (j < t.size && (j == i || sameId(t, i, j))) {
          String p = t.packs[t.pack[j]];
          if (!pending.contains(p) && (!doomed.contains(p) || rescued.contains(p))) {
            safeCopy = true;
          }
          j++;
        }
        if (!safeCopy && liveSet.contains(t.id(i))) {
          for (int k = i; k < j; k++) {
            String p = t.packs[t.pack[k]];
            if (doomed.contains(p) && rescued.add(p)) {
              changed = true;
              LOG.info(
                  "rescued condemned pack {}: a manifest written since needs chunk {}", p, t.id(i));
              break;
            }
          }
        }
        i = j;
      }
    }
    Set<String> delete = new HashSet<>(doomed);
    delete.removeAll(rescued);
    long freed = 0;
    for (String hex : delete) {
      BlobKey key = PackFormat.key(repo.prefix(), hex);
      freed += repo.store().stat(key).map(BlobInfo::size).orElse(0L);
      repo.store().delete(key);
    }
    // the packs are gone; now the index without them, then the lists
    rewriteIndex(s, delete);
    for (BlobKey list : eligible) {
      repo.store().delete(list);
    }
    return new Sweep(delete.size(), freed, rescued.size(), deferred);
  }

  /** The condemned lists each open (not stale) writer session had seen when it started. */
  private List<Set<String>> openSessions() throws IOException {
    Instant staleBefore = Instant.now().minus(repo.sessionStaleAfter());
    List<Set<String>> out = new ArrayList<>();
    for (BlobInfo info : repo.listUnder("sessions/")) {
      if (info.lastModified().isBefore(staleBefore)) {
        continue;
      }
      byte[] body;
      try {
        body = repo.readAll(info.key());
      } catch (BlobNotFoundException closed) {
        continue;
      }
      Set<String> seen = new HashSet<>();
      String text = new String(body, StandardCharsets.UTF_8).trim();
      if (text.startsWith("seen=")) {
        for (String n : text.substring(5).split(",")) {
          if (!n.isBlank()) {
            seen.add(n.trim());
          }
        }
      }
      out.add(seen);
    }
    return out;
  }

  private void rewriteIndex(ChunkRepository.Snapshot s, Set<String> dropped) throws IOException {
    IndexTable kept = s.table.without(dropped);
    for (int from = 0; from < kept.size; from += MAX_INDEX_ENTRIES) {
      writeIndexObject(repo, kept.slice(from, Math.min(kept.size, from + MAX_INDEX_ENTRIES)));
    }
    for (BlobKey k : s.indexKeys) {
      repo.store().delete(k);
    }
  }

  /** Stores one immutable index object, named by time and a random suffix. */
  static BlobKey writeIndexObject(ChunkRepository repo, IndexTable table) throws IOException {
    byte[] rnd = new byte[8];
    RANDOM.nextBytes(rnd);
    BlobKey key =
        repo.key(
            String.format(
                "index/%013d-%s", System.currentTimeMillis(), PackFormat.HEX.formatHex(rnd)));
    repo.store().put(key, new ByteArrayInputStream(table.serialize(key, repo.sealer())));
    return key;
  }

  static List<String> readCondemned(ChunkRepository repo, BlobKey key) throws IOException {
    String text = new String(repo.readAll(key), StandardCharsets.UTF_8);
    String[] lines = text.split("\n");
    if (lines.length == 0 || !lines[0].equals(CONDEMNED_HEADER)) {
      throw new PermanentException(
          repo.where(key.value()) + ": not a condemned-pack list of format 1");
    }
    List<String> packs = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        if (!PackFormat.isPackName(lines[i])) {
          throw new PermanentException(
              repo.where(key.value()) + ": line " + (i + 1) + " is not a pack id");
        }
        packs.add(lines[i]);
      }
    }
    return packs;
  }

  // ---- orphans

  int repairOrphans() throws IOException {
    return repairOrphans(Instant.now().minus(repo.sessionStaleAfter()));
  }

  int endSessionsBefore(Instant aliveSince) throws IOException {
    List<BlobInfo> dead = new ArrayList<>();
    for (BlobInfo info : repo.listUnder("sessions/")) {
      if (info.lastModified().isBefore(aliveSince)) {
        dead.add(info);
      }
    }
    if (dead.isEmpty()) {
      return 0;
    }
    repairOrphans(aliveSince);
    for (BlobInfo info : dead) {
      LOG.info("ending writer session {}, left open by a process that is gone", info.key().name());
      repo.store().delete(info.key());
    }
    return dead.size();
  }

  /** Indexes the packs of sessions whose last heartbeat is before {@code staleBefore}. */
  private int repairOrphans(Instant staleBefore) throws IOException {
    ChunkRepository.Snapshot s = ChunkRepository.Snapshot.load(repo);
    Set<String> indexed = new HashSet<>(List.of(s.table.packs));
    Map<String, Instant> sessions = new HashMap<>();
    for (BlobInfo info : repo.listUnder("sessions/")) {
      sessions.put(info.key().name(), info.lastModified());
    }
    List<IndexTable> found = new ArrayList<>();
    for (BlobInfo info : repo.listUnder("packs/")) {
      String hex = info.key().name();
      if (!PackFormat.isPackName(hex) || indexed.contains(hex)) {
        continue;
      }
      try {
        byte[] header = repo.readRange(info.key(), 0, PackFormat.HEADER, "pack header");
        String session = PackFormat.readHeader(info.key(), header).toString();
        Instant beat = sessions.get(session);
        if (beat != null && !beat.isBefore(staleBefore)) {
          continue; // its writer is alive and will index it
        }
        byte[] footer =
            repo.readRange(
                info.key(), info.size() - PackFormat.FOOTER, PackFormat.FOOTER, "pack footer");
        int tl = PackFormat.trailerLength(info.key(), footer, info.size());
        byte[] trailer =
            repo.readRange(info.key(), info.size() - PackFormat.FOOTER - tl, tl, "pack index");
        PackFormat.PackIndex index =
            PackFormat.readTrailer(info.key(), trailer, 0, tl, repo.sealer(), info.size());
        found.add(IndexTable.ofPack(hex, index));
        LOG.info(
            "indexing orphan pack {} of writer session {} ({} chunks)",
            info.key(),
            session,
            index.size());
      } catch (BlobNotFoundException gone) {
        // deleted meanwhile
      } catch (PermanentException e) {
        LOG.error("cannot index orphan pack {}: {} (run verify)", info.key(), e.getMessage());
      }
    }
    if (!found.isEmpty()) {
      writeIndexObject(repo, IndexTable.merge(found));
    }
    return found.size();
  }
}
