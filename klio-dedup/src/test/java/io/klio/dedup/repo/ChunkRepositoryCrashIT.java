package io.klio.dedup.repo;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.process.ChildJvm;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a JVM that writes into the repository, many times at random moments: the index never
 * points at a chunk that is not stored, every file whose flush returned reads back whole, and the
 * packs a killed writer left unindexed are indexed by repair once its session is stale.
 */
class ChunkRepositoryCrashIT {

  @TempDir Path dir;

  @Test
  void killedWritersLoseNothingAcknowledgedAndLeaveNoDanglingIndexEntry() throws Exception {
    Random random = new Random();
    List<long[]> durable = new ArrayList<>(); // seed, chunk count
    try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
      Files.newRepo(store);
    }
    for (int round = 0; round < 10; round++) {
      try (ChildJvm writer =
          ChildJvm.start(
              CrashingChunkWriter.class,
              256,
              dir.toUri().toString(),
              Long.toString(round * 1000L))) {
        int target = 1 + random.nextInt(4);
        for (int seen = 0; seen < target; seen++) {
          String line = writer.readLine();
          assertThat(line).as("writer output (did it die early?)").isNotNull();
          durable.add(parse(line));
        }
        Thread.sleep(random.nextInt(300));
        writer.kill9();
        writer.remainingLines().forEach(line -> durable.add(parse(line)));
      }

      try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
        ChunkRepository repo = ChunkRepository.open(store, "");
        assertThat(repo.verify(Verifier.Progress.NONE).problems()).as("round " + round).isEmpty();
        for (long[] d : durable) {
          byte[] expected = Files.file(d[0], CrashingChunkWriter.size(d[0]));
          List<ChunkId> ids = new ArrayList<>();
          repo.chunker()
              .split(
                  new ByteArrayInputStream(expected),
                  (b, off, len) ->
                      ids.add(ChunkId.of(Sha256ChunkHasher.INSTANCE.hash(b, off, len))));
          assertThat(ids).hasSize((int) d[1]);
          assertThat(Files.read(repo, ids)).as("file " + d[0]).isEqualTo(expected);
        }
      }
    }
    assertThat(durable).hasSizeGreaterThanOrEqualTo(10);

    // every killed writer's session is left behind; once stale, its packs are indexed
    try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
      List<BlobKey> sessions = new ArrayList<>();
      store.forEach("sessions/", i -> sessions.add(i.key()));
      assertThat(sessions).hasSize(10);
      for (BlobKey s : sessions) {
        java.nio.file.Files.setLastModifiedTime(
            dir.resolve(s.value()), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
      }
      ChunkRepository repo = ChunkRepository.open(store, "");
      long before = repo.stats().chunks();
      repo.repair();
      repo.refresh();
      assertThat(repo.stats().chunks()).isGreaterThanOrEqualTo(before);
      List<BlobKey> packs = new ArrayList<>();
      store.forEach("packs/", i -> packs.add(i.key()));
      assertThat(repo.stats().packs()).as("every pack indexed").isEqualTo(packs.size());
      assertThat(repo.verify(Verifier.Progress.NONE).problems()).isEmpty();
    }
  }

  private static long[] parse(String line) {
    String[] p = line.split(" ");
    return new long[] {Long.parseLong(p[1]), Long.parseLong(p[2])};
  }
}
