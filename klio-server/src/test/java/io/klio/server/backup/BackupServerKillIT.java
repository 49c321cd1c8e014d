package io.klio.server.backup;

import static io.klio.server.backup.BackupFixtures.cli;
import static io.klio.server.backup.BackupFixtures.clientYaml;
import static io.klio.server.backup.BackupFixtures.connect;
import static io.klio.server.backup.BackupFixtures.metric;
import static io.klio.server.backup.BackupFixtures.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.ChunkSealer;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.client.BackupListener;
import io.klio.client.BackupOutcome;
import io.klio.client.KlioConnection;
import io.klio.crypto.SealedObjects;
import io.klio.dedup.repo.ChunkId;
import io.klio.dedup.repo.ChunkRepository;
import io.klio.dedup.repo.RepositoryConfig;
import io.klio.dedup.repo.Sha256ChunkHasher;
import io.klio.dedup.repo.Verifier;
import io.klio.dedup.repo.VerifyReport;
import io.klio.server.wal.KlioFixture;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Klio server SIGKILLed at varied moments of a {@code klio backup} (early in the upload, later
 * in it, waiting for WAL, around the commit) and restarted on the same Tier 1. After each kill: the
 * client stops with an error naming the server it lost (or, when the kill came after the commit,
 * the backup is in the catalog); Tier 1 as the kill left it holds only whole manifests, whose
 * chunks are all indexed, and its chunk repository verifies; after the restart the catalog lists
 * exactly the committed backups, and the next backup succeeds storing exactly the chunks the
 * repository lacked: those the killed backup had stored are reused.
 *
 * <p>The moments are drawn from a random seed, printed at the start ({@code -Dklio.it.seed=N}
 * repeats a run).
 */
class BackupServerKillIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static final Path LAUNCHER = Path.of("..", "klio").toAbsolutePath().normalize();

  /**
   * Kills per major: 2 in the default build (CI: two of the four moments, drawn anew each run), 12
   * with {@code -Psoak}.
   */
  private static final int ROUNDS = Integer.getInteger("klio.it.backupKillRounds", 2);

  /**
   * The pack size of the test's repository: small (the smallest allowed), so that a kill in the
   * middle of an upload finds packs stored, and some not yet indexed, besides the one being filled
   * (which the kill loses) without tens of megabytes per round.
   */
  private static final int PACK_SIZE = 1 << 20;

  /**
   * Rows added per round: about 16 MB of heap that compresses to about two thirds, more than the
   * latest kill in the upload waits for (7 MiB).
   */
  private static final int ROWS = 150_000;

  enum Moment {
    /** Before the first pack is full: nothing of this backup is stored yet. */
    EARLY_UPLOAD,
    /** Several packs in: some stored and indexed, some stored only, one being filled. */
    LATE_UPLOAD,
    /**
     * Every chunk sent, the server waiting for the WAL that makes the backup restorable (send-wal
     * is stopped for this round, and started again after the kill).
     */
    AWAITING_WAL,
    /**
     * Up to 40 ms after the client sent 'finish' (with the WAL streaming): storing the last pack
     * and the manifest, or just committed, whether or not the client heard of it.
     */
    AROUND_COMMIT
  }

  @TempDir Path tmp;

  /** PostgreSQL 15; with -Pall-postgres (every major enabled) also the newest. */
  static List<Integer> versions() {
    List<Integer> v = PostgresVersions.enabled();
    return v.size() > 2 ? List.of(v.get(0), v.get(v.size() - 1)) : List.of(v.get(0));
  }

  @ParameterizedTest
  @MethodSource("versions")
  void aKilledServerNeverListsABrokenBackupAndTheNextReusesItsChunks(int major) throws Exception {
    long seed = Long.getLong("klio.it.seed", System.nanoTime());
    System.out.printf(
        "BackupServerKillIT: PostgreSQL %d, %d rounds, seed %d (-Dklio.it.seed=%d repeats it)%n",
        major, ROUNDS, seed, seed);
    Random random = new Random(seed);
    List<Moment> moments = new ArrayList<>();
    while (moments.size() < ROUNDS) {
      List<Moment> all = new ArrayList<>(List.of(Moment.values()));
      Collections.shuffle(all, random);
      moments.addAll(all); // every moment once in each four rounds
    }
    PostgresServer s = pg.start(PostgresConfig.of(major));
    try (KlioFixture klio = new KlioFixture(tmp, BackupFixtures.conn(s), false, "")) {
      try (BlobStore store = BlobStores.open(klio.tier1.toUri().toString())) {
        ChunkRepository.create(
            store,
            "",
            RepositoryConfig.defaults().withPackSize(PACK_SIZE),
            Sha256ChunkHasher.INSTANCE,
            ChunkSealer.NONE);
      }
      klio.startServer();
      klio.startSendWal();
      BackupFixtures.awaitStreaming(s);
      Path cfg = clientYaml(klio, "backup.yaml", s, "60s");
      Set<String> committed = new TreeSet<>();
      for (int round = 0; round < ROUNDS; round++) {
        Moment moment = moments.get(round);
        String what = "round " + round + " (" + moment + ")";
        addRows(s, "r" + round);
        try (Tier1 before = Tier1.open(klio.tier1)) {
          Attempt a = backUpAndKill(klio, cfg, moment, random, what);
          if (a.exit() == 0) {
            assertThat(moment)
                .as(what + ": committed before the kill")
                .isEqualTo(Moment.AROUND_COMMIT);
          } else {
            assertThat(a.exit()).as(what + ": klio backup's exit status\n" + a.log()).isEqualTo(3);
            assertThat(a.log())
                .as(what)
                .contains(
                    "the Klio server at 127.0.0.1:"
                        + klio.grpcPort
                        + " could not be reached or went away");
          }
          VerifyReport crash = checkTier1(klio.tier1, what + ", Tier 1 as the kill left it");

          klio.startServer();
          // send-wal reconnects by itself, after a back-off that has grown to seconds by now; a
          // new one spares the next backup that wait for its WAL (SynchronousKillIT tests the
          // reconnection)
          if (moment != Moment.AWAITING_WAL) {
            klio.killSendWal();
          }
          klio.startSendWal();
          try (KlioConnection c = connect(cfg);
              Tier1 restarted = Tier1.open(klio.tier1)) {
            List<String> listed = ids(c.backups().list());
            if (a.exit() == 0) {
              assertThat(listed)
                  .as(what + ": the backup the client saw committed")
                  .contains(a.id());
            }
            List<String> verify = new ArrayList<>();
            if (a.id() != null && listed.contains(a.id())) {
              // committed before the kill, whether or not the client heard of it
              committed.add(a.id());
              verify.add(a.id());
            }
            assertThat(listed).as(what + ": the catalog").containsExactlyElementsOf(committed);
            long storedByAttempt = restarted.repo.indexEntries() - before.repo.indexEntries();
            if (moment == Moment.LATE_UPLOAD || moment == Moment.AWAITING_WAL) {
              assertThat(storedByAttempt)
                  .as(what + ": chunks the killed backup stored")
                  .isPositive();
            }

            // the next backup stores exactly what the repository lacks
            BackupOutcome o = c.backups().backup(options(cfg), BackupListener.NONE);
            BackupSummary next = o.summary();
            Map<ChunkId, Integer> chunks =
                chunks(BackupFixtures.manifest(klio, next.getBackupId()));
            Set<ChunkId> lacking = new LinkedHashSet<>(restarted.repo.missing(chunks.keySet()));
            Set<ChunkId> fromAttempt = new LinkedHashSet<>(before.repo.missing(chunks.keySet()));
            fromAttempt.removeAll(lacking);
            long lackingBytes = lacking.stream().mapToLong(chunks::get).sum();
            long fromAttemptBytes = fromAttempt.stream().mapToLong(chunks::get).sum();
            System.out.printf(
                "%s: the client exited %d, the backup is %s; the repository held %d chunks, then %d after the kill"
                    + " (%d in packs); the next backup %s: %d chunks (%d bytes), %d new (%d bytes,"
                    + " %d sent), %d reused from the killed one (%d bytes)%n",
                what,
                a.exit(),
                verify.contains(a.id()) ? "listed" : "not listed",
                before.repo.indexEntries(),
                restarted.repo.indexEntries(),
                crash.chunks(),
                next.getBackupId(),
                chunks.size(),
                next.getDataBytes(),
                next.getNewChunks(),
                next.getNewBytes(),
                o.sentBytes(),
                fromAttempt.size(),
                fromAttemptBytes);
            assertThat(next.getNewChunks())
                .as(what + ": new chunks of the next backup, the chunks the repository lacked")
                .isEqualTo(lacking.size());
            assertThat(next.getNewBytes())
                .as(what + ": bytes the next backup added, those of the chunks it lacked")
                .isEqualTo(lackingBytes);
            // all but the chunks of files PostgreSQL changed since (pg_control, pg_xact, pages
            // written by the next backup's checkpoint): the next backup holds what the killed one
            // stored, and reused it (above: it stored only what the repository lacked)
            assertThat(storedByAttempt - fromAttempt.size())
                .as(what + ": chunks of the killed backup the next one does not hold")
                .isLessThanOrEqualTo(Math.max(4, storedByAttempt / 10));
            committed.add(next.getBackupId());
            verify.add(next.getBackupId());
            assertThat(ids(c.backups().list())).containsExactlyElementsOf(committed);
            for (String id : verify) {
              assertThat(cli("backup", "verify", id, "--config", cfg.toString()))
                  .as(what + ": klio backup verify " + id)
                  .startsWith("0\n")
                  .contains("every chunk verified");
            }
          }
        }
      }
      checkTier1(klio.tier1, "after the last round");
    }
  }

  /**
   * A new table of {@link #ROWS} rows of 64 pseudo-random bytes each, frozen (so that no vacuum
   * rewrites its pages between a killed backup and the next) and checkpointed.
   */
  private static void addRows(PostgresServer s, String table) {
    String bytes =
        Stream.of("a", "b", "c", "d")
            .map(x -> "md5(g || '" + x + table + "')")
            .reduce((x, y) -> x + " || " + y)
            .orElseThrow();
    s.sql(
        "CREATE TABLE "
            + table
            + " AS SELECT g AS id, decode("
            + bytes
            + ", 'hex') AS v FROM generate_series(1, "
            + ROWS
            + ") g");
    s.sql("VACUUM (FREEZE) " + table);
    s.sql("CHECKPOINT");
  }

  /** What a killed {@code klio backup} did: its exit status, its backup id, its output. */
  private record Attempt(int exit, String id, String log) {}

  /**
   * Runs {@code klio backup} and SIGKILLs the server at {@code moment}; returns once the client has
   * ended.
   */
  private Attempt backUpAndKill(
      KlioFixture klio, Path cfg, Moment moment, Random random, String what) throws Exception {
    Path log = Files.createTempFile(tmp, "backup-", ".log");
    if (moment == Moment.AWAITING_WAL) {
      klio.killSendWal();
    }
    double base = metric(klio, "klio_backup_chunk_bytes_received_total");
    Process p =
        new ProcessBuilder(LAUNCHER.toString(), "backup", "--config", cfg.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      String at;
      if (moment == Moment.AWAITING_WAL) {
        while (!Files.readString(log).contains("the server waits for")) {
          awaitAlive(p, log, deadline, what);
        }
        at = "its wait for WAL";
      } else if (moment == Moment.AROUND_COMMIT) {
        while (!Files.readString(log).contains("waiting for the server to commit")) {
          awaitAlive(p, log, deadline, what);
        }
        int delay = random.nextInt(40);
        Thread.sleep(delay);
        at = delay + " ms after 'finish'";
      } else {
        long threshold =
            moment == Moment.EARLY_UPLOAD
                ? (64 << 10) + random.nextInt(PACK_SIZE - (64 << 10))
                : 3 * PACK_SIZE + random.nextInt(4 * PACK_SIZE);
        double received;
        while ((received = metric(klio, "klio_backup_chunk_bytes_received_total") - base)
            < threshold) {
          awaitAlive(p, log, deadline, what);
        }
        at = (long) received + " chunk bytes received";
      }
      klio.killServer();
      System.out.printf("%s: killed the server at %s%n", what, at);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(what + ": klio backup ends").isTrue();
      String out = Files.readString(log);
      Matcher m = Pattern.compile("backup (\\S+) started at").matcher(out);
      return new Attempt(p.exitValue(), m.find() ? m.group(1) : null, out);
    } finally {
      p.destroyForcibly();
    }
  }

  private static void awaitAlive(Process p, Path log, long deadline, String what) throws Exception {
    assertThat(p.isAlive())
        .as(what + ": klio backup runs until the kill\n" + Files.readString(log))
        .isTrue();
    assertThat(System.nanoTime()).as(what + ": the moment to kill").isLessThan(deadline);
    Thread.sleep(10);
  }

  /**
   * Checks Tier 1 with the server's own readers: every backup manifest is whole and names only
   * indexed chunks, and every pack of the chunk repository verifies.
   */
  private static VerifyReport checkTier1(Path tier1, String what) throws IOException {
    try (BlobStore store = BlobStores.open(tier1.toUri().toString())) {
      ChunkRepository repo = ChunkRepository.open(store, "");
      List<BlobKey> manifests = new ArrayList<>();
      store.forEach(
          "clusters/",
          (BlobInfo info) -> {
            if (info.key().value().contains("/backups/")
                && info.key().value().endsWith("/manifest")) {
              manifests.add(info.key());
            }
          });
      for (BlobKey k : manifests) {
        List<ChunkId> ids = new ArrayList<>();
        try (StoredManifest.Reader r = StoredManifest.open(store, SealedObjects.plain(), k)) {
          for (FileEntry e = r.next(); e != null; e = r.next()) {
            byte[] b = e.getChunkIds().toByteArray();
            for (int i = 0; i < b.length; i += ChunkId.LENGTH) {
              ids.add(ChunkId.read(b, i));
            }
          }
        }
        assertThat(repo.missing(ids)).as(what + ": chunks of " + k + " not indexed").isEmpty();
      }
      VerifyReport v = repo.verify(Verifier.Progress.NONE);
      assertThat(v.problems()).as(what + ": the chunk repository verifies").isEmpty();
      try (Stream<Path> files = Files.walk(tier1)) {
        long temp = files.filter(f -> f.getFileName().toString().startsWith("~tmp-")).count();
        System.out.printf(
            "%s: %d manifests, %d packs, %d chunks verified, %d temporary files%n",
            what, manifests.size(), v.packs(), v.chunks(), temp);
      }
      return v;
    }
  }

  /** The chunk repository of Tier 1, opened beside the server (its index as of the opening). */
  private record Tier1(BlobStore store, ChunkRepository repo) implements AutoCloseable {
    static Tier1 open(Path tier1) throws IOException {
      BlobStore store = BlobStores.open(tier1.toUri().toString());
      return new Tier1(store, ChunkRepository.open(store, ""));
    }

    @Override
    public void close() throws IOException {
      store.close();
    }
  }

  /** The distinct chunks of a backup's files, with their lengths. */
  private static Map<ChunkId, Integer> chunks(Map<String, FileEntry> manifest) {
    Map<ChunkId, Integer> out = new HashMap<>();
    for (FileEntry e : manifest.values()) {
      byte[] b = e.getChunkIds().toByteArray();
      for (int i = 0; i < e.getChunkLengthsCount(); i++) {
        out.put(ChunkId.read(b, i * ChunkId.LENGTH), e.getChunkLengths(i));
      }
    }
    return out;
  }

  private static List<String> ids(List<BackupSummary> backups) {
    return backups.stream().map(BackupSummary::getBackupId).toList();
  }
}
