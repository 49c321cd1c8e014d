package io.klio.server.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import io.klio.api.format.Codecs;
import io.klio.client.KlioConnection;
import io.klio.crypto.SealedObjects;
import io.klio.server.config.ClientConfig;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.postgres.PostgresConfig;
import io.klio.testkit.postgres.PostgresExtension;
import io.klio.testkit.postgres.PostgresServer;
import io.klio.testkit.postgres.PostgresVersions;
import io.klio.walstream.ConnectionStrings;
import io.klio.walstream.PgConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Synchronous replication with a real zero RPO: with {@code synchronous_standby_names = 'klio'},
 * the Klio server or send-wal is SIGKILLed at random moments while a client commits one row per
 * transaction. After each kill, everything PostgreSQL was told is flushed (the slot's position,
 * which also released the waiting commits) is in the archive byte for byte; at the end a cold copy
 * recovered from the archive holds every row PostgreSQL reported committed.
 */
class SynchronousKillIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  private static final WalSegmentSize SEG = WalSegmentSize.DEFAULT;

  /**
   * Kills per major: 4 in the default build (CI: three of the server, one of send-wal), 26 with
   * {@code -Psoak}.
   */
  private static final int ROUNDS = Integer.getInteger("klio.it.killRounds", 4);

  @TempDir Path tmp;

  static List<Integer> versions() {
    return PostgresVersions.enabled();
  }

  @ParameterizedTest
  @MethodSource("versions")
  void everyCommitReportedCommittedIsInTheArchive(int major) throws Exception {
    PostgresServer s =
        pg.start(PostgresConfig.of(major).with("synchronous_standby_names", "'klio'"));
    s.sql("SET synchronous_commit = local; CREATE TABLE t (id bigint PRIMARY KEY)");
    Random random = new Random();
    AtomicLong acked = new AtomicLong();
    try (PostgresServer copy = s.coldCopy();
        // the newest PostgreSQL streams over the server's WAL socket, the others over the gRPC
        // Stream call: both transports of a synchronous client are killed at bad moments
        KlioFixture klio =
            new KlioFixture(
                tmp,
                WalPathIT.conn(s),
                true,
                walSocket(major) ? KlioFixture.walSocketYaml() : "")) {
      klio.startServer();
      klio.startSendWal();
      Thread workload = new Thread(() -> commitRows(s, acked), "workload");
      workload.setDaemon(true);
      workload.start();
      int kills = 0;
      for (int round = 0; round < ROUNDS; round++) {
        long before = acked.get();
        awaitProgress(acked, before + 3, "round " + round);
        Thread.sleep(random.nextInt(200));
        boolean server = round % 4 != 3; // three server kills for each send-wal kill
        if (server) {
          klio.killServer();
        } else {
          klio.killSendWal();
        }
        kills++;
        long ackedAtKill = acked.get();
        Thread.sleep(300); // feedback already on the wire lands in the slot (only for strength)
        Lsn flushed = slot(s);
        if (server) {
          Path snapshot = tmp.resolve("snapshot-" + round);
          copyTree(klio.tier1, snapshot);
          assertArchiveHolds(s, snapshotReader(snapshot), flushed, "round " + round);
        } else {
          assertArchiveHolds(s, liveReader(klio), flushed, "round " + round);
        }
        // checked while Klio is still down: the one commit whose acknowledgement was on the wire
        // at the kill may complete, no other (after the restart, commits resume at once, so a
        // check then would depend on how fast the test thread gets there)
        assertThat(acked.get())
            .as("no commit is acknowledged while Klio is down")
            .isLessThanOrEqualTo(ackedAtKill + 1);
        if (server) {
          klio.startServer();
        } else {
          klio.startSendWal();
        }
      }
      assertThat(kills).isEqualTo(ROUNDS);
      awaitProgress(acked, acked.get() + 3, "after the last restart");
      workload.interrupt();
      workload.join(30_000);
      assertThat(klio.metrics())
          .as("the stream after the last restart went over the transport chosen")
          .containsPattern("klio_wal_socket_streams_total " + (walSocket(major) ? "[1-9]" : "0\n"));
      long committed = acked.get();
      WalPathIT.awaitFlushed(s, Lsn.parse(s.sql("SELECT pg_current_wal_lsn()")));
      s.stop();

      copy.startRecovery(Map.of("restore_command", klio.restoreCommand()));
      copy.awaitRecoveryEnd(Duration.ofMinutes(3));
      assertThat(copy.sql("SELECT count(*) FROM t WHERE id <= " + committed))
          .isEqualTo(Long.toString(committed));
    }
  }

  /** Commits one row per transaction, counting those PostgreSQL reported committed. */
  private static boolean walSocket(int major) {
    return major == PostgresVersions.enabled().get(PostgresVersions.enabled().size() - 1);
  }

  private static void commitRows(PostgresServer s, AtomicLong acked) {
    try (PgConnection c =
        PgConnection.connect(
            ConnectionStrings.resolve(WalPathIT.conn(s) + " dbname=postgres", Map.of()), false)) {
      for (long id = 1; !Thread.currentThread().isInterrupted(); id++) {
        c.query("INSERT INTO t VALUES (" + id + ")");
        acked.set(id);
      }
    } catch (Exception e) {
      if (!Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static void awaitProgress(AtomicLong acked, long target, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (acked.get() < target) {
      assertThat(System.nanoTime()).as("commits resume: " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static Lsn slot(PostgresServer s) {
    return Lsn.parse(
        s.sql("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'"));
  }

  @FunctionalInterface
  interface Reader {
    byte[] read(String name) throws Exception;
  }

  /** The archive, as Tier 1 was when the server died. */
  private static Reader snapshotReader(Path snapshot) {
    return name -> {
      try (BlobStore store = BlobStores.open(snapshot.toUri().toString());
          Archives a =
              new Archives(store, snapshot, SealedObjects.plain(), Codecs.byName("zstd"))) {
        return a.get(ClusterName.of(KlioFixture.CLUSTER)).fetch(name).content();
      }
    };
  }

  /** The archive through the running server's API, as get-wal sees it. */
  private static Reader liveReader(KlioFixture klio) {
    return name -> {
      try (KlioConnection c =
          KlioConnection.open(ClientConfig.load(klio.clientConfig()).client())) {
        return c.walFetcher().fetch(name, Duration.ofSeconds(30)).content();
      }
    };
  }

  /** The archive holds PostgreSQL's own WAL bytes up to {@code flushed}. */
  private static void assertArchiveHolds(PostgresServer s, Reader archive, Lsn flushed, String what)
      throws Exception {
    if (!flushed.isValid()) {
      return;
    }
    Lsn last = Lsn.of(flushed.value() - 1);
    WalFileName.Segment seg = WalFileName.Segment.containing(TimelineId.of(1), last, SEG);
    int upTo = last.segmentOffset(SEG) + 1;
    byte[] theirs = Files.readAllBytes(s.dataDirectory().resolve("pg_wal").resolve(seg.toString()));
    byte[] ours = archive.read(seg.toString());
    assertThat(ours.length).as(what + ": archived " + seg).isGreaterThanOrEqualTo(upTo);
    assertThat(Arrays.mismatch(Arrays.copyOf(ours, upTo), Arrays.copyOf(theirs, upTo)))
        .as(what + ": " + seg + " up to the flushed position " + flushed)
        .isEqualTo(-1);
  }

  private static void copyTree(Path from, Path to) throws Exception {
    Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
  }
}
