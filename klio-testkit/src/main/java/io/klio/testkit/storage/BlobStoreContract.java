package io.klio.testkit.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.klio.api.error.KlioException;
import io.klio.api.error.NotFoundException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobPage;
import io.klio.storage.BlobStore;
import io.klio.storage.ConditionalPut;
import io.klio.testkit.io.PatternStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link BlobStore} must have, as a JUnit 5 suite. A backend's test extends
 * this class and implements {@link #openStore()}; see {@code docs/storage-backends.md}.
 *
 * <p>Each test works under a fresh random prefix, so the store may be shared with other data (a
 * bucket reused between runs). The large-object test needs the JVM's maximum heap to be smaller
 * than {@link #largeObjectSize()}, which proves the store streams: run it with {@code -Xmx256m}.
 */
public abstract class BlobStoreContract {

  /** The store under test. Called before each test; the store is closed after it. */
  protected abstract BlobStore openStore() throws Exception;

  /** Size of the object that must stream with bounded heap: 384 MiB unless overridden. */
  protected long largeObjectSize() {
    return 384L << 20;
  }

  /** How many keys the listing tests create: 2,500 unless overridden (a slow remote backend). */
  protected int listingKeyCount() {
    return 2_500;
  }

  protected BlobStore store;
  protected String base;

  @BeforeEach
  void openTheStore() throws Exception {
    store = openStore();
    base = "contract-" + UUID.randomUUID().toString().substring(0, 8) + "/";
  }

  @AfterEach
  void closeTheStore() throws IOException {
    if (store != null) {
      store.close();
    }
  }

  protected BlobKey key(String rest) {
    return BlobKey.of(base + rest);
  }

  protected static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  protected String read(BlobKey key) throws IOException {
    try (InputStream in = store.get(key)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void putThenGetReturnsTheBytes() throws IOException {
    byte[] data = new byte[300_000];
    new Random(1).nextBytes(data);
    BlobInfo info = store.put(key("a/b/object"), new ByteArrayInputStream(data));
    assertThat(info.key()).isEqualTo(key("a/b/object"));
    assertThat(info.size()).isEqualTo(data.length);
    try (InputStream in = store.get(key("a/b/object"))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    Optional<BlobInfo> stat = store.stat(key("a/b/object"));
    assertThat(stat).isPresent();
    assertThat(stat.get().size()).isEqualTo(data.length);
  }

  @Test
  void emptyObject() throws IOException {
    store.put(key("empty"), InputStream.nullInputStream());
    assertThat(read(key("empty"))).isEmpty();
    assertThat(store.stat(key("empty")).orElseThrow().size()).isZero();
    try (InputStream in = store.get(key("empty"), 0, 10)) {
      assertThat(in.readAllBytes()).isEmpty();
    }
  }

  @Test
  void overwriteReplacesTheWholeObject() throws IOException {
    store.put(key("x"), bytes("a much longer first version"));
    store.put(key("x"), bytes("short"));
    assertThat(read(key("x"))).isEqualTo("short");
    assertThat(store.stat(key("x")).orElseThrow().size()).isEqualTo(5);
  }

  @Test
  void missingObjectsAreTypedNotFound() throws IOException {
    BlobKey missing = key("no/such/object");
    assertThatThrownBy(() -> store.get(missing).close())
        .isInstanceOf(BlobNotFoundException.class)
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining(missing.value());
    assertThatThrownBy(() -> store.get(missing, 0, 1).close())
        .isInstanceOf(BlobNotFoundException.class);
    try {
      store.get(missing).close();
      fail("get of a missing key returned a stream");
    } catch (BlobNotFoundException e) {
      assertThat(e.key()).isEqualTo(missing);
    }
    assertThat(store.stat(missing)).isEmpty();
  }

  @Test
  void rangedReads() throws IOException {
    byte[] data = new byte[10_000];
    new Random(2).nextBytes(data);
    store.put(key("r"), new ByteArrayInputStream(data));
    long[][] ranges = {{0, 10}, {0, 10_000}, {9_990, 10}, {9_990, 100}, {1234, 0}, {5000, 1}};
    for (long[] r : ranges) {
      try (InputStream in = store.get(key("r"), r[0], r[1])) {
        int from = (int) r[0];
        int to = (int) Math.min(data.length, r[0] + r[1]);
        assertThat(in.readAllBytes())
            .as("range %d+%d", r[0], r[1])
            .isEqualTo(Arrays.copyOfRange(data, from, to));
      }
    }
    try (InputStream in = store.get(key("r"), 10_000, 5)) {
      assertThat(in.readAllBytes()).as("offset equal to the size").isEmpty();
    }
    assertThatThrownBy(() -> store.get(key("r"), 10_001, 5).close())
        .isInstanceOf(KlioException.class)
        .hasMessageContaining(key("r").value());
    assertThatThrownBy(() -> store.get(key("r"), -1, 5).close())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteIsIdempotent() throws IOException {
    store.put(key("d"), bytes("x"));
    store.delete(key("d"));
    store.delete(key("d"));
    store.delete(key("never-existed"));
    assertThat(store.stat(key("d"))).isEmpty();
    assertThatThrownBy(() -> store.get(key("d")).close()).isInstanceOf(NotFoundException.class);
    assertThat(store.list(base, Optional.empty(), 10).objects()).isEmpty();
  }

  @Test
  void listingIsOrderedPaginatedAndScopedByPrefix() throws IOException {
    Random random = new Random(3);
    TreeSet<String> expected = new TreeSet<>();
    String alphabet = "abAB09._-";
    while (expected.size() < listingKeyCount()) {
      StringBuilder k = new StringBuilder();
      int segments = 1 + random.nextInt(3);
      for (int s = 0; s < segments; s++) {
        if (s > 0) {
          k.append('/');
        }
        int len = 1 + random.nextInt(4);
        for (int i = 0; i < len; i++) {
          k.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String candidate = k.toString();
      if (conflictsWithExisting(expected, candidate) || isDotSegment(candidate)) {
        continue;
      }
      expected.add(candidate);
    }
    parallelPut(expected);

    for (int pageSize : new int[] {1000, 333, 7}) {
      List<String> seen = new ArrayList<>();
      Optional<BlobKey> after = Optional.empty();
      int pages = 0;
      do {
        BlobPage page = store.list(base, after, pageSize);
        assertThat(page.objects().size()).isLessThanOrEqualTo(pageSize);
        page.objects().forEach(o -> seen.add(o.key().value().substring(base.length())));
        after = page.next();
        assertThat(++pages).as("pages for size %d", pageSize).isLessThan(expected.size() + 2);
      } while (after.isPresent());
      assertThat(seen).as("page size %d", pageSize).containsExactlyElementsOf(expected);
    }

    // a prefix that ends inside a segment, and one that names a "directory"
    String partial = expected.first().substring(0, 1);
    List<String> byPartial = new ArrayList<>();
    store.forEach(base + partial, o -> byPartial.add(o.key().value().substring(base.length())));
    assertThat(byPartial)
        .containsExactlyElementsOf(expected.stream().filter(k -> k.startsWith(partial)).toList());
    String dir =
        expected.stream()
            .filter(k -> k.contains("/"))
            .findFirst()
            .map(k -> k.substring(0, k.indexOf('/') + 1))
            .orElseThrow();
    List<String> byDir = new ArrayList<>();
    store.forEach(base + dir, o -> byDir.add(o.key().value().substring(base.length())));
    assertThat(byDir)
        .isNotEmpty()
        .containsExactlyElementsOf(expected.stream().filter(k -> k.startsWith(dir)).toList());

    // starting after a key in the middle, and after the last one
    List<String> all = new ArrayList<>(expected);
    String middle = all.get(all.size() / 2);
    BlobPage rest = store.list(base, Optional.of(key(middle)), 5);
    assertThat(rest.objects().get(0).key().value()).isEqualTo(base + all.get(all.size() / 2 + 1));
    BlobPage none = store.list(base, Optional.of(key(all.get(all.size() - 1))), 5);
    assertThat(none.objects()).isEmpty();
    assertThat(none.next()).isEmpty();
    assertThat(store.list(base + "zzz-nothing-here", Optional.empty(), 5).objects()).isEmpty();
  }

  private static boolean isDotSegment(String key) {
    for (String s : key.split("/")) {
      if (s.equals(".") || s.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /** Keys that are another key's "directory" are outside the contract (see BlobStore). */
  private static boolean conflictsWithExisting(Set<String> keys, String candidate) {
    for (String k : keys) {
      if (k.startsWith(candidate + "/") || candidate.startsWith(k + "/")) {
        return true;
      }
    }
    return false;
  }

  private void parallelPut(Set<String> keys) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (String k : keys) {
        futures.add(pool.submit(() -> store.put(key(k), bytes(k))));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (Exception e) {
      throw new IOException("parallel put failed", e);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void validKeysOfEveryAllowedCharacterRoundTrip() throws IOException {
    String[] keys = {
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "abcdefghijklmnopqrstuvwxyz",
      "0123456789",
      "._-",
      "a/b/c/d/e/f/g",
      "x".repeat(BlobKey.MAX_SEGMENT_LENGTH)
    };
    for (String k : keys) {
      store.put(key(k), bytes(k));
      assertThat(read(key(k))).isEqualTo(k);
    }
    for (String bad : new String[] {"", "/a", "a/", "a//b", "../a", "a/./b", "a b", "a\\b", "ä"}) {
      assertThatThrownBy(() -> BlobKey.of(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void failedPutLeavesThePreviousObject() throws IOException {
    store.put(key("keep"), bytes("old"));
    InputStream failing =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 100_000) {
              throw new IOException("source failed");
            }
            return 'x';
          }
        };
    assertThatThrownBy(() -> store.put(key("keep"), failing)).isInstanceOf(IOException.class);
    assertThat(read(key("keep"))).isEqualTo("old");
    assertThatThrownBy(() -> store.put(key("new"), failing)).isInstanceOf(IOException.class);
    assertThat(store.stat(key("new"))).isEmpty();
    assertThat(store.list(base, Optional.empty(), 10).objects())
        .extracting(o -> o.key().value())
        .containsExactly(base + "keep");
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void largeObjectStreamsWithBoundedHeap() throws Exception {
    long size = largeObjectSize();
    long maxHeap = Runtime.getRuntime().maxMemory();
    assertThat(maxHeap)
        .as(
            "the JVM's maximum heap must be smaller than the %d-byte object, so that buffering"
                + " it would fail: run this suite with -Xmx256m",
            size)
        .isLessThan(size);
    PatternStream source = new PatternStream(size, 42);
    store.put(key("large"), source);
    assertThat(store.stat(key("large")).orElseThrow().size()).isEqualTo(size);
    MessageDigest read = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    long total = 0;
    try (InputStream in = store.get(key("large"))) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        read.update(buf, 0, n);
        total += n;
      }
    }
    assertThat(total).isEqualTo(size);
    assertThat(read.digest()).isEqualTo(source.digest());
    try (InputStream in = store.get(key("large"), size - 100, 1000)) {
      assertThat(in.readAllBytes()).hasSize(100);
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void concurrentPutsToOneKeyNeverTearTheObject() throws Exception {
    int writers = 6;
    int rounds = 20;
    List<byte[]> versions = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      byte[] v = new byte[256 * 1024 + w];
      Arrays.fill(v, (byte) ('a' + w));
      versions.add(v);
    }
    store.put(key("hot"), new ByteArrayInputStream(versions.get(0)));
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    AtomicBoolean writing = new AtomicBoolean(true);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        byte[] v = versions.get(w);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int r = 0; r < rounds; r++) {
                    store.put(key("hot"), new ByteArrayInputStream(v));
                  }
                  return null;
                }));
      }
      Future<Integer> reader =
          pool.submit(
              () -> {
                start.await();
                int reads = 0;
                while (writing.get()) {
                  assertIsOneOf(readBytes(key("hot")), versions);
                  reads++;
                }
                return reads;
              });
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
      writing.set(false);
      assertThat(reader.get()).isPositive();
    } finally {
      pool.shutdownNow();
    }
    assertIsOneOf(readBytes(key("hot")), versions);
    assertThat(store.list(base, Optional.empty(), 10).objects()).hasSize(1);
  }

  private byte[] readBytes(BlobKey key) throws IOException {
    try (InputStream in = store.get(key)) {
      return in.readAllBytes();
    }
  }

  private static void assertIsOneOf(byte[] got, List<byte[]> versions) {
    for (byte[] v : versions) {
      if (Arrays.equals(got, v)) {
        return;
      }
    }
    fail("read a torn or unknown object of %d bytes", got.length);
  }

  @Test
  void concurrentPutsToDistinctKeysAllLand() throws Exception {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      keys.add("many/" + i);
    }
    parallelPut(keys);
    List<String> listed = new ArrayList<>();
    store.forEach(base + "many/", o -> listed.add(o.key().value()));
    assertThat(listed).hasSize(200);
    for (String k : keys) {
      assertThat(read(key(k))).isEqualTo(k);
    }
  }

  @Test
  void putIfAbsentHasExactlyOneWinner() throws Exception {
    Assumptions.assumeTrue(
        store instanceof ConditionalPut, "this store does not offer conditional puts");
    ConditionalPut cp = (ConditionalPut) store;
    assertThat(cp.putIfAbsent(key("once"), bytes("first"))).isTrue();
    assertThat(cp.putIfAbsent(key("once"), bytes("second"))).isFalse();
    assertThat(read(key("once"))).isEqualTo("first");

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 10; round++) {
        BlobKey k = key("race-" + round);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          String content = "writer-" + t;
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return cp.putIfAbsent(k, bytes(content));
                  }));
        }
        start.countDown();
        int winners = 0;
        int winner = -1;
        for (int t = 0; t < results.size(); t++) {
          if (results.get(t).get()) {
            winners++;
            winner = t;
          }
        }
        assertThat(winners).as("winners of round %d", round).isEqualTo(1);
        assertThat(read(k)).isEqualTo("writer-" + winner);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
