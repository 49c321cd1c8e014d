package io.klio.server.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.server.config.ServerConfig.Tier2Settings;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayTest {

  private static final Tier2Settings SETTINGS = new Tier2Settings("flaky:", 3, 0, 99);

  @TempDir Path dir;
  private Path tier1Dir;
  private BlobStore tier1;
  private FlakyStore tier2;
  private Relay relay;

  @BeforeEach
  void open() throws IOException {
    tier1Dir = dir.resolve("tier1");
    Files.createDirectories(tier1Dir);
    tier1 = BlobStores.open(tier1Dir.toUri().toString());
    Files.createDirectories(dir.resolve("tier2"));
    tier2 = new FlakyStore(BlobStores.open(dir.resolve("tier2").toUri().toString()));
  }

  @AfterEach
  void close() throws IOException {
    if (relay != null) {
      relay.close();
    }
    tier1.close();
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void put(BlobStore s, String key, byte[] content) throws IOException {
    s.put(BlobKey.of(key), new ByteArrayInputStream(content));
  }

  private static byte[] read(BlobStore s, String key) throws IOException {
    try (InputStream in = s.get(BlobKey.of(key))) {
      return in.readAllBytes();
    }
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  private boolean drained() {
    return relay.snapshot().objectsWaiting() == 0 && relay.outbox().size() == 0;
  }

  private static final String PACK1 = "packs/ab/ab000000000000000000000000000001";
  private static final String PACK2 = "packs/cd/cd000000000000000000000000000002";
  private static final String INDEX = "index/1733000000000-00000000000000aa";
  private static final String SEG1 = "clusters/main/wal/0000000100000000/000000010000000000000001";
  private static final String HISTORY = "clusters/main/wal/history/00000002.history";
  private static final String SEG2 = "clusters/main/wal/0000000200000000/000000020000000000000002";

  @Test
  void copiesEveryRepositoryObjectByKeyAndNothingThatIsTier1Only() throws Exception {
    relay = Relay.start(tier1, tier1Dir, tier2, SETTINGS);
    BlobStore front = relay.tier1();
    byte[] pack = bytes(3 << 20, 1);
    put(front, PACK1, pack);
    put(front, INDEX, bytes(1000, 2));
    put(front, SEG1, bytes(70_000, 3));
    put(front, "clusters/main/backups/20261202T100000Z/manifest", bytes(500, 4));
    put(front, "clusters/main/incoming/000000010000000000000002.journal", bytes(100, 5));
    put(front, "sessions/0c8e7a51-0000-4000-8000-000000000001", bytes(10, 6));
    put(front, "gc/lock", bytes(10, 7));
    await("the relay drained", this::drained);

    assertThat(tier2.puts.keySet())
        .extracting(BlobKey::value)
        .containsExactlyInAnyOrder(
            PACK1, INDEX, SEG1, "clusters/main/backups/20261202T100000Z/manifest");
    for (BlobKey k : tier2.puts.keySet()) {
      assertThat(read(tier2, k.value())).as(k.value()).isEqualTo(read(tier1, k.value()));
    }
    RelayMetrics.Snapshot s = relay.snapshot();
    assertThat(s.copiedObjects()).isEqualTo(4);
    assertThat(s.copiedBytes()).isEqualTo(pack.length + 1000 + 70_000 + 500);
    StringBuilder m = new StringBuilder();
    relay.render(m);
    assertThat(m.toString())
        .contains("klio_relay_objects_waiting 0", "klio_relay_copied_objects_total 4");
  }

  @Test
  void anIndexWaitsForEarlierPacksAndASegmentForTheHistoryFileBeforeIt() throws Exception {
    relay = Relay.open(tier1, tier1Dir, tier2, SETTINGS); // no dispatcher: the test picks
    BlobStore front = relay.tier1();
    for (String k : List.of(PACK1, PACK2, INDEX, SEG1, HISTORY, SEG2)) {
      put(front, k, bytes(100, k.hashCode()));
    }
    assertThat(keys(relay.pick())).containsExactly(PACK1, PACK2);
    assertThat(relay.pick()).isEmpty(); // both in flight, the index waits for them
    List<Outbox.Entry> packs = relay.outbox().pending().subList(0, 2);
    relay.copy(packs.get(0));
    assertThat(relay.pick()).isEmpty(); // one pack still pending
    relay.copy(packs.get(1));
    List<Outbox.Entry> next = relay.pick();
    assertThat(keys(next)).containsExactly(INDEX);
    relay.copy(next.get(0));
    next = relay.pick();
    assertThat(keys(next)).containsExactly(SEG1); // the history file waits for it
    relay.copy(next.get(0));
    next = relay.pick();
    assertThat(keys(next)).containsExactly(HISTORY);
    relay.copy(next.get(0));
    next = relay.pick();
    assertThat(keys(next)).containsExactly(SEG2);
    relay.copy(next.get(0));
    assertThat(relay.outbox().size()).isZero();
    assertThat(tier2.order)
        .extracting(BlobKey::value)
        .containsExactly(PACK1, PACK2, INDEX, SEG1, HISTORY, SEG2);
  }

  private static List<String> keys(List<Outbox.Entry> entries) {
    return entries.stream().map(e -> e.key.value()).toList();
  }

  @Test
  void anOutageLosesNothingAndARestartCopiesNothingTwice() throws Exception {
    relay = Relay.start(tier1, tier1Dir, tier2, SETTINGS);
    put(relay.tier1(), PACK1, bytes(1000, 1));
    await("the first pack is on Tier 2", this::drained);
    tier2.down = true;
    put(relay.tier1(), PACK2, bytes(2000, 2));
    put(relay.tier1(), INDEX, bytes(300, 3));
    await(
        "a copy failed", () -> relay.snapshot().errorsByClass().getOrDefault("retryable", 0L) > 0);
    RelayMetrics.Snapshot during = relay.snapshot();
    assertThat(during.objectsWaiting()).isEqualTo(2);
    assertThat(during.bytesWaiting()).isEqualTo(2300);
    assertThat(during.lastError()).contains("down");
    relay.close(); // the server stops while Tier 2 is down
    relay = null;

    tier2.down = false;
    relay = Relay.start(tier1, tier1Dir, tier2, SETTINGS);
    assertThat(relay.snapshot().objectsWaiting()).isEqualTo(2);
    await("the backlog drained", this::drained);
    assertThat(read(tier2, PACK2)).isEqualTo(read(tier1, PACK2));
    assertThat(read(tier2, INDEX)).isEqualTo(read(tier1, INDEX));
    assertThat(tier2.puts.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void aDeleteOfAnObjectNotYetOnTier2WaitsForTheCopy() throws Exception {
    relay = Relay.start(tier1, tier1Dir, tier2, SETTINGS);
    tier2.down = true;
    put(relay.tier1(), PACK1, bytes(1000, 1));
    relay.tier1().delete(BlobKey.of(PACK1)); // garbage collection, say
    assertThat(tier1.stat(BlobKey.of(PACK1))).as("pinned on Tier 1").isPresent();
    tier2.down = false;
    await("the pack is copied, then deleted from Tier 1", this::drained);
    assertThat(tier2.stat(BlobKey.of(PACK1))).isPresent();
    assertThat(tier1.stat(BlobKey.of(PACK1))).isEmpty();
    assertThat(relay.snapshot().deferredDeletesDone()).isEqualTo(1);
    relay.tier1().delete(BlobKey.of(PACK2)); // not pinned: deleted at once (nothing there)
  }

  @Test
  void theFirstStartCopiesWhatTier1AlreadyHeldUnlessTier2HasIt() throws Exception {
    put(tier1, "klio-repository", bytes(200, 9));
    put(tier1, PACK1, bytes(1000, 1));
    put(tier1, INDEX, bytes(100, 2));
    put(tier1, "clusters/main/incoming/000000010000000000000002.journal", bytes(100, 5));
    put(tier2, PACK1, read(tier1, PACK1)); // an earlier relay got this far
    tier2.puts.clear();
    tier2.order.clear();
    relay = Relay.start(tier1, tier1Dir, tier2, SETTINGS);
    await("the existing objects are on Tier 2", this::drained);
    assertThat(tier2.order).extracting(BlobKey::value).containsExactly("klio-repository", INDEX);
    assertThat(relay.snapshot().alreadyOnTier2()).isEqualTo(1);
    relay.close();
    relay = Relay.start(tier1, tier1Dir, tier2, SETTINGS); // the same Tier 2: nothing to check
    assertThat(relay.outbox().size()).isZero();
  }

  @Test
  void aTornLastRecordIsDroppedAndTheRestKept() throws Exception {
    relay = Relay.open(tier1, tier1Dir, tier2, SETTINGS);
    put(relay.tier1(), PACK1, bytes(100, 1));
    put(relay.tier1(), PACK2, bytes(100, 2));
    relay.close();
    Path log = tier1Dir.resolve("relay").resolve(Outbox.FILE);
    Files.write(
        log, "P 3 17330000 index/x".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
    try (Outbox o = Outbox.open(log.getParent())) {
      assertThat(o.damaged()).isFalse();
      assertThat(o.pending()).extracting(e -> e.key.value()).containsExactly(PACK1, PACK2);
      assertThat(o.pending()).allSatisfy(e -> assertThat(e.checkTier2First).isTrue());
    }
    relay = null;
  }
}
