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
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a JVM that writes into the repository, many times at random moments: the index never
 * points at a chunk that is not stored, every file whose flush returned reads back whole, a killed
 * writer leaves at most the one session it had open (never one whose close returned), and the packs
 * a killed writer left unindexed are indexed by repair once its session is stale.
 *
 * <p>The child opens a new session every three files, so a kill between one session's close and the
 * next one's creation leaves no session at all: how many are left is not fixed, only bounded.
 */
class ChunkRepositoryCrashIT {

  @TempDir Path dir;

  @Test
  void killedWritersLoseNothingAcknowledgedAndLeaveNoDanglingIndexEntry() throws Exception {
    Random random = new Random();
    List<long[]> durable = new ArrayList<>(); // seed, chunk count
    Set<String> left = new HashSet<>(); // sessions killed writers left behind so far
    try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
      Files.newRepo(store);
    }
    for (int round = 0; round < 10; round++) {
      List<String> lines = new ArrayList<>();
      try (ChildJvm writer =
          ChildJvm.start(
              CrashingChunkWriter.class,
              256,
              dir.toUri().toString(),
              Long.toString(round * 1000L))) {
        int target = 1 + random.nextInt(4);
        for (int seen = 0; seen < target; ) {
          String line = writer.readLine();
          assertThat(line).as("writer output (did it die early?)").isNotNull();
          lines.add(line);
          seen += line.startsWith("durable ") ? 1 : 0;
        }
        Thread.sleep(random.nextInt(300));
        writer.kill9();
        lines.addAll(writer.remainingLines());
      }
      List<String> opened = new ArrayList<>();
      Set<String> closed = new HashSet<>();
      for (String line : lines) {
        String[] p = line.split(" ");
        switch (p[0]) {
          case "session" -> opened.add(p[1]);
          case "closed" -> closed.add(p[1]);
          case "durable" -> durable.add(new long[] {Long.parseLong(p[1]), Long.parseLong(p[2])});
          default -> throw new AssertionError("unexpected line from the writer: " + line);
        }
      }

      try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
        Set<String> now = sessions(store);
        assertThat(now)
            .as("round " + round + ": sessions of earlier rounds stay")
            .containsAll(left);
        Set<String> added = new HashSet<>(now);
        added.removeAll(left);
        // the child holds one session at a time: the one it was in (reported or just created),
        // or none when the kill fell between a close and the next session's creation
        assertThat(added)
            .as("round " + round + ": sessions left by this writer")
            .hasSizeLessThan(2);
        // never one whose close returned, nor an earlier one than the last it reported
        Set<String> finished = new HashSet<>(closed);
        finished.addAll(opened.subList(0, Math.max(0, opened.size() - 1)));
        finished.retainAll(added);
        assertThat(finished).as("round " + round + ": finished sessions left").isEmpty();
        left.addAll(added);

        ChunkRepository repo = ChunkRepository.open(store, "");
        assertThat(repo.verify(Verifier.Progress.NONE).problems()).as("round " + round).isEmpty();
        assertFilesRead(repo, durable, "round " + round);
      }
    }
    assertThat(durable).hasSizeGreaterThanOrEqualTo(10);

    // once the sessions killed writers left are stale, every pack is indexed
    try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
      assertThat(sessions(store)).isEqualTo(left);
      for (String s : left) {
        java.nio.file.Files.setLastModifiedTime(
            dir.resolve("sessions/" + s), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
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
      assertFilesRead(repo, durable, "after repair");
    }
  }

  /** Every file the writers reported durable reads back whole, in as many chunks as they said. */
  private static void assertFilesRead(ChunkRepository repo, List<long[]> durable, String when)
      throws Exception {
    for (long[] d : durable) {
      byte[] expected = Files.file(d[0], CrashingChunkWriter.size(d[0]));
      List<ChunkId> ids = new ArrayList<>();
      repo.chunker()
          .split(
              new ByteArrayInputStream(expected),
              (b, off, len) -> ids.add(ChunkId.of(Sha256ChunkHasher.INSTANCE.hash(b, off, len))));
      assertThat(ids).as(when + ": file " + d[0]).hasSize((int) d[1]);
      assertThat(Files.read(repo, ids)).as(when + ": file " + d[0]).isEqualTo(expected);
    }
  }

  /** The ids of the writer sessions the repository holds. */
  private static Set<String> sessions(BlobStore store) throws Exception {
    Set<String> out = new HashSet<>();
    store.forEach("sessions/", i -> out.add(i.key().value().substring("sessions/".length())));
    return out;
  }
}
