package io.klio.server.relay;

import io.klio.api.io.DurableFiles;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's durable to-do list: a line-per-record log in {@code <tier1>/relay/outbox.log}
 * (docs/format.md, "Relay outbox"). A put is recorded, and fsynced, <em>before</em> the object is
 * written to Tier 1, so a crash at any moment leaves no object on Tier 1 that the outbox does not
 * know; a record whose object never got written is dropped when the relay finds no such object.
 * Completions are appended without an fsync of their own (one every second, and at close): losing
 * the last ones only means the relay checks Tier 2 for those objects before copying them again.
 *
 * <p>Thread-safe: one lock guards the file and the pending entries.
 */
final class Outbox implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  static final String FILE = "outbox.log";
  private static final int COMPACT_MIN_LINES = 50_000;

  /** What a pending entry asks for. */
  enum Op {
    /** Copy the object to Tier 2. */
    COPY,
    /** Delete the object from Tier 1 once every earlier copy of its key is done. */
    DELETE
  }

  /** One pending record. Fields other than the finals are guarded by the outbox's lock. */
  static final class Entry {
    final long seq;
    final long recordedMs;
    final BlobKey key;
    final Op op;

    /** True when Tier 2 may already hold the object (seeded, or recorded by an earlier process). */
    final boolean checkTier2First;

    boolean written; // the Tier 1 put returned (or the entry predates this process)
    long size = -1; // once known
    boolean inFlight;
    int attempts;
    long retryAtNanos;

    Entry(long seq, long recordedMs, BlobKey key, Op op, boolean checkTier2First) {
      this.seq = seq;
      this.recordedMs = recordedMs;
      this.key = key;
      this.op = op;
      this.checkTier2First = checkTier2First;
    }

    @Override
    public String toString() {
      return op + " " + key + " (#" + seq + ")";
    }
  }

  private final Path file;
  private final TreeMap<Long, Entry> pending = new TreeMap<>();
  private final Map<BlobKey, Integer> copiesByKey = new HashMap<>();
  private final Map<BlobKey, Entry> deletesByKey = new HashMap<>();
  private final boolean damaged;
  private FileChannel channel;
  private long nextSeq = 1;
  private long lines;
  private boolean unsynced;

  private Outbox(Path file) throws IOException {
    this.file = file;
    this.damaged = load();
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Opens (or creates) the outbox in {@code dir}, reading what an earlier process left. */
  static Outbox open(Path dir) throws IOException {
    DurableFiles.createDirectories(dir);
    return new Outbox(dir.resolve(FILE));
  }

  /**
   * True when a damaged record was found in the middle of the log (not just a torn last line): the
   * relay must then check every Tier 1 object against Tier 2 once.
   */
  boolean damaged() {
    return damaged;
  }

  /** Records, durably, that {@code key} is about to be written to Tier 1. */
  synchronized Entry recordPut(BlobKey key) throws IOException {
    Entry e = add(key, Op.COPY, false, 'P');
    sync();
    Entry delete = deletesByKey.remove(key);
    if (delete != null) { // a new object under a key whose deletion waited: keep the new one
      finish(delete, 'C');
    }
    return e;
  }

  /** Records, durably, objects already on Tier 1 that Tier 2 may or may not hold. */
  synchronized void recordExisting(List<BlobInfo> objects) throws IOException {
    for (BlobInfo o : objects) {
      Entry e = add(o.key(), Op.COPY, true, 'S');
      e.written = true;
      e.size = o.size();
    }
    sync();
  }

  /**
   * Records, durably, that {@code key} should be deleted from Tier 1 once it is on Tier 2, when a
   * copy of it is still pending; returns false (recording nothing) when none is.
   */
  synchronized boolean recordDeleteIfPinned(BlobKey key) throws IOException {
    if (!copiesByKey.containsKey(key)) {
      return false;
    }
    if (!deletesByKey.containsKey(key)) {
      Entry d = add(key, Op.DELETE, false, 'D');
      d.written = true; // nothing to wait for but the copy before it
      deletesByKey.put(key, d);
      sync();
    }
    return true;
  }

  /** The Tier 1 put of {@code e} returned; {@code size} is -1 when it failed. */
  synchronized void written(Entry e, long size) {
    e.written = true;
    e.size = size;
  }

  /** {@code e} is done: copied, found on Tier 2 already, or (for a delete) deleted. */
  synchronized void done(Entry e) throws IOException {
    finish(e, 'C');
  }

  /** {@code e} is dropped: Tier 1 has no such object (its put failed, or it was replaced). */
  synchronized void dropped(Entry e) throws IOException {
    finish(e, 'X');
  }

  /** The pending entries in record order (a copy). */
  synchronized List<Entry> pending() {
    return new ArrayList<>(pending.values());
  }

  /** Visits pending entries in record order, under the lock, until the visitor returns false. */
  synchronized void scan(java.util.function.Predicate<Entry> visitor) {
    for (Entry e : pending.values()) {
      if (!visitor.test(e)) {
        return;
      }
    }
  }

  /** Runs {@code action} under the outbox's lock (for fields of entries). */
  synchronized void locked(Runnable action) {
    action.run();
  }

  synchronized int size() {
    return pending.size();
  }

  /** Whether a copy of {@code key} to Tier 2 is still pending. */
  synchronized boolean pinned(BlobKey key) {
    return copiesByKey.containsKey(key);
  }

  /** Makes completions appended so far durable. */
  synchronized void sync() throws IOException {
    if (unsynced) {
      channel.force(false);
      unsynced = false;
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (channel.isOpen()) {
      sync();
      channel.close();
    }
  }

  // ---- records ----

  private Entry add(BlobKey key, Op op, boolean checkTier2First, char tag) throws IOException {
    long seq = nextSeq++;
    long now = System.currentTimeMillis();
    append(tag + " " + seq + " " + now + " " + key.value());
    Entry e = new Entry(seq, now, key, op, checkTier2First);
    track(e);
    return e;
  }

  private void track(Entry e) {
    pending.put(e.seq, e);
    if (e.op == Op.COPY) {
      copiesByKey.merge(e.key, 1, Integer::sum);
    }
  }

  private void finish(Entry e, char tag) throws IOException {
    if (pending.remove(e.seq) == null) {
      return;
    }
    if (e.op == Op.COPY) {
      copiesByKey.computeIfPresent(e.key, (k, n) -> n == 1 ? null : n - 1);
    } else {
      deletesByKey.remove(e.key, e);
    }
    append(tag + " " + e.seq);
    if (lines >= COMPACT_MIN_LINES && lines > 4L * pending.size()) {
      compact();
    }
  }

  private void append(String record) throws IOException {
    byte[] line = line(record);
    ByteBuffer b = ByteBuffer.wrap(line);
    while (b.hasRemaining()) {
      channel.write(b);
    }
    lines++;
    unsynced = true;
  }

  private static byte[] line(String record) {
    byte[] body = record.getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(body);
    return (record + " " + String.format("%08x", crc.getValue()) + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Rewrites the log with only the pending entries, atomically. */
  private void compact() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(line("N " + nextSeq));
    for (Entry e : pending.values()) {
      char tag = e.op == Op.DELETE ? 'D' : e.checkTier2First ? 'S' : 'P';
      out.writeBytes(line(tag + " " + e.seq + " " + e.recordedMs + " " + e.key.value()));
    }
    channel.force(false);
    channel.close();
    DurableFiles.write(file, out.toByteArray());
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    lines = pending.size() + 1L;
    unsynced = false;
    LOG.debug("relay outbox compacted: {} pending", pending.size());
  }

  /** Reads the log; returns true when a damaged record was followed by good ones. */
  private boolean load() throws IOException {
    if (!Files.exists(file)) {
      return false;
    }
    byte[] all = Files.readAllBytes(file);
    int start = 0;
    long goodEnd = 0;
    boolean bad = false;
    boolean goodAfterBad = false;
    while (start < all.length) {
      int nl = start;
      while (nl < all.length && all[nl] != '\n') {
        nl++;
      }
      Optional<String[]> rec =
          nl < all.length
              ? parse(new String(all, start, nl - start, StandardCharsets.UTF_8))
              : Optional.empty();
      if (rec.isEmpty()) {
        bad = true;
      } else if (bad) {
        goodAfterBad = true;
      } else {
        apply(rec.get());
        goodEnd = nl + 1L;
      }
      start = nl + 1;
    }
    if (bad) {
      LOG.warn(
          "relay outbox {}: {} at byte {}; keeping the {} records before it",
          file,
          goodAfterBad ? "a damaged record" : "a torn last record (a crash while appending)",
          goodEnd,
          lines);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(goodEnd);
        ch.force(true);
      }
    }
    for (Entry e : pending.values()) {
      e.written = true; // an earlier process's put either happened or not: the copy will tell
    }
    return goodAfterBad;
  }

  private static Optional<String[]> parse(String line) {
    int sp = line.lastIndexOf(' ');
    if (sp < 0) {
      return Optional.empty();
    }
    String body = line.substring(0, sp);
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    if (!String.format("%08x", crc.getValue()).equals(line.substring(sp + 1))) {
      return Optional.empty();
    }
    String[] f = body.split(" ", 4);
    boolean withKey = f[0].equals("P") || f[0].equals("S") || f[0].equals("D");
    if (f.length != (withKey ? 4 : 2) || !"PSDCXN".contains(f[0]) || f[0].length() != 1) {
      return Optional.empty();
    }
    return Optional.of(f);
  }

  private void apply(String[] f) {
    long seq = Long.parseLong(f[1]);
    nextSeq = Math.max(nextSeq, f[0].equals("N") ? seq : seq + 1);
    lines++;
    switch (f[0]) {
      case "P", "S", "D" -> {
        Op op = f[0].equals("D") ? Op.DELETE : Op.COPY;
        Entry e = new Entry(seq, Long.parseLong(f[2]), BlobKey.of(f[3]), op, true);
        track(e);
        if (op == Op.DELETE) {
          deletesByKey.put(e.key, e);
        }
      }
      case "C", "X" -> {
        Entry e = pending.remove(seq);
        if (e != null && e.op == Op.COPY) {
          copiesByKey.computeIfPresent(e.key, (k, n) -> n == 1 ? null : n - 1);
        } else if (e != null) {
          deletesByKey.remove(e.key, e);
        }
      }
      default -> {} // N: the next sequence number after a compaction
    }
  }
}
