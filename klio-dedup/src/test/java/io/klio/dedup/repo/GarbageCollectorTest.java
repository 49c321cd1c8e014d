package io.klio.dedup.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.NotFoundException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {

  @TempDir Path dir;
  BlobStore store;
  ChunkRepository repo;

  /** The "manifests": file name → chunk list. */
  Map<String, List<ChunkId>> manifests = new HashMap<>();

  Map<String, byte[]> contents = new HashMap<>();

  @BeforeEach
  void open() throws IOException {
    store = BlobStores.open(dir.toUri().toString());
    repo = Files.newRepo(store);
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private GarbageCollector.LiveChunks live() {
    return sink -> manifests.values().forEach(list -> list.forEach(sink));
  }

  private void backup(ChunkWriter w, String name, byte[] data) throws IOException {
    List<ChunkId> ids = Files.store(w, repo, data);
    w.flush();
    manifests.put(name, ids);
    contents.put(name, data);
  }

  private void assertEveryLiveFileReads() throws IOException {
    ChunkRepository fresh = ChunkRepository.open(store, "");
    for (var e : manifests.entrySet()) {
      assertThat(Files.read(fresh, e.getValue()))
          .as(e.getKey())
          .isEqualTo(contents.get(e.getKey()));
    }
    assertThat(fresh.verify(Verifier.Progress.NONE).problems()).isEmpty();
  }

  private long packBytes() throws IOException {
    long[] sum = {0};
    store.forEach("packs/", i -> sum[0] += i.size());
    return sum[0];
  }

  @Test
  void deletesDeadPacksAndRepacksSparseOnes() throws IOException {
    try (ChunkWriter w = repo.newWriter()) {
      backup(w, "a", Files.file(1, 3 << 20));
      backup(w, "b", Files.file(2, 3 << 20));
      backup(w, "c", Files.file(3, 1 << 20));
    }
    long before = packBytes();
    List<ChunkId> deadIds = manifests.remove("b");
    contents.remove("b");
    // keep one chunk in three of "a": its packs become sparse
    List<ChunkId> a = manifests.get("a");
    List<ChunkId> sparse = new ArrayList<>();
    for (int i = 0; i < a.size(); i += 3) {
      sparse.add(a.get(i));
    }
    manifests.put("a-sparse", sparse);
    manifests.remove("a");
    contents.remove("a");
    repo.refresh();
    contents.put("a-sparse", Files.read(repo, sparse));

    GcReport r = repo.collectGarbage(live(), GarbageCollector.Options.defaults());
    assertThat(r.deferredLists()).isZero();
    assertThat(r.deletedPacks()).isGreaterThan(0).isEqualTo(r.condemnedPacks());
    assertThat(r.repackedChunks()).isGreaterThan(0);
    assertThat(r.freedBytes()).isGreaterThan(0);
    assertThat(packBytes()).isLessThan(before / 2);
    assertEveryLiveFileReads();
    ChunkRepository fresh = ChunkRepository.open(store, "");
    assertThatThrownBy(() -> fresh.read(deadIds.get(0))).isInstanceOf(NotFoundException.class);
    // a second run finds nothing to do
    GcReport again = fresh.collectGarbage(live(), GarbageCollector.Options.defaults());
    assertThat(again.condemnedPacks()).isZero();
    assertThat(again.deletedPacks()).isZero();
  }

  @Test
  void aWriterThatStartedBeforeTheMarkKeepsTheChunksItReused() throws IOException {
    byte[] old = Files.file(7, 2 << 20);
    try (ChunkWriter w = repo.newWriter()) {
      backup(w, "old", old);
    }
    List<ChunkId> oldIds = manifests.remove("old");
    contents.remove("old");

    // a backup starts while "old" is still live, and reuses all its chunks
    ChunkWriter early = repo.newWriter();
    List<ChunkId> reused = Files.store(early, repo, old);
    assertThat(early.stats().newChunks()).isZero();

    // the collection runs now: "old" is not live any more, its packs are condemned, but the
    // sweep must wait for the early writer
    GcReport r = repo.collectGarbage(live(), GarbageCollector.Options.defaults());
    assertThat(r.condemnedPacks()).isGreaterThan(0);
    assertThat(r.deletedPacks()).isZero();
    assertThat(r.deferredLists()).isEqualTo(1);

    // a backup that starts after the mark does not rely on condemned packs: it stores again
    try (ChunkWriter late = repo.newWriter()) {
      List<ChunkId> again = Files.store(late, repo, Files.file(7, 1 << 20));
      assertThat(late.stats().newChunks())
          .as("every chunk, though the condemned packs hold most of them")
          .isEqualTo(new java.util.HashSet<>(again).size());
      late.flush();
      manifests.put("late", again);
      contents.put("late", Files.file(7, 1 << 20));
    }

    // the early backup finishes: its manifest names the condemned chunks
    early.flush();
    manifests.put("early", reused);
    contents.put("early", old);
    early.close();

    GcReport sweep = repo.collectGarbage(live(), GarbageCollector.Options.defaults());
    assertThat(sweep.deferredLists()).isZero();
    assertThat(sweep.rescuedPacks()).as("packs the early backup needs").isPositive();
    assertEveryLiveFileReads();
    assertThat(oldIds).isEqualTo(reused);
  }

  @Test
  void aCrashedWritersSessionGoesStaleAndItsPacksAreIndexed() throws IOException {
    ChunkWriter crashed = repo.newWriter();
    byte[] data = Files.file(9, 3 << 20);
    List<ChunkId> ids = Files.store(crashed, repo, data); // some packs stored, never indexed
    assertThat(crashed.stats().packs()).isPositive();
    // the process "dies": no flush, no close; its session object stays
    BlobKey session = BlobKey.of("sessions/" + crashed.session());
    assertThat(store.stat(session)).isPresent();

    assertThat(repo.repair()).as("its session is fresh: leave its packs alone").isZero();
    // an hour later
    java.nio.file.Files.setLastModifiedTime(
        dir.resolve(session.value()), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    int repaired = repo.repair();
    assertThat(repaired).isEqualTo((int) crashed.stats().packs());
    ChunkRepository fresh = ChunkRepository.open(store, "");
    long stored = ids.stream().filter(id -> fresh.missing(List.of(id)).isEmpty()).count();
    assertThat(stored).isPositive().isLessThan(ids.size());
    assertThat(fresh.verify(Verifier.Progress.NONE).problems()).isEmpty();
  }

  @Test
  void onlyOneCollectionAtATime() throws IOException {
    store.put(BlobKey.of("gc/lock"), new ByteArrayInputStream(new byte[0]));
    assertThatThrownBy(() -> repo.collectGarbage(live(), GarbageCollector.Options.defaults()))
        .isInstanceOf(RetryableException.class)
        .hasMessageContaining("gc/lock")
        .hasMessageContaining("another garbage collection");
    java.nio.file.Files.setLastModifiedTime(
        dir.resolve("gc/lock"), FileTime.from(Instant.now().minus(Duration.ofDays(1))));
    repo.collectGarbage(live(), GarbageCollector.Options.defaults());
    assertThat(store.stat(BlobKey.of("gc/lock"))).isEmpty();
  }

  /**
   * Random histories of backups, deletions and collections, with writers left open across
   * collections: every live file always reads back whole.
   */
  @Test
  void noLiveChunkIsEverLost() throws IOException {
    for (long seed = 1; seed <= 4; seed++) {
      Random r = new Random(seed);
      List<byte[]> pool = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        pool.add(Files.file(seed * 100 + i, (256 << 10) + r.nextInt(512 << 10)));
      }
      ChunkWriter open = null;
      String openName = null;
      byte[] openData = null;
      List<ChunkId> openIds = null;
      for (int step = 0; step < 30; step++) {
        switch (r.nextInt(5)) {
          case 0, 1 -> {
            try (ChunkWriter w = repo.newWriter()) {
              byte[] data = mutate(pool.get(r.nextInt(pool.size())), r);
              backup(w, "s" + seed + "-" + step, data);
            }
          }
          case 2 -> {
            if (!manifests.isEmpty()) {
              String victim = new ArrayList<>(manifests.keySet()).get(r.nextInt(manifests.size()));
              manifests.remove(victim);
              contents.remove(victim);
            }
          }
          case 3 -> {
            if (open == null) {
              open = repo.newWriter();
              openName = "open" + seed + "-" + step;
              openData = mutate(pool.get(r.nextInt(pool.size())), r);
              openIds = Files.store(open, repo, openData);
            } else {
              open.flush();
              manifests.put(openName, openIds);
              contents.put(openName, openData);
              open.close();
              open = null;
            }
          }
          default ->
              repo.collectGarbage(
                  live(),
                  new GarbageCollector.Options(
                      r.nextDouble(), r.nextBoolean(), Duration.ofHours(1)));
        }
        assertEveryLiveFileReads();
      }
      if (open != null) {
        open.close();
      }
    }
  }

  private static byte[] mutate(byte[] base, Random r) {
    byte[] b = base.clone();
    for (int i = 0; i < 3; i++) {
      int at = r.nextInt(b.length);
      b[at] ^= 0x55;
    }
    return b;
  }
}
