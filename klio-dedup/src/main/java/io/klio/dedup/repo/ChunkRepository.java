package io.klio.dedup.repo;

import io.klio.api.ChunkHasher;
import io.klio.api.ChunkSealer;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import io.klio.dedup.chunk.Chunker;
import io.klio.dedup.chunk.Chunkers;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobStore;
import io.klio.storage.ConditionalPut;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content-addressed chunk repository over a {@link BlobStore}, under a key prefix: chunks are
 * compressed, sealed and appended to pack files; index objects map chunk ids to their place. See
 * docs/format.md ("Chunk repository") for the layout.
 *
 * <p>Thread-safe. Reads use a snapshot of the index taken at {@link #open} or {@link #refresh};
 * each {@link ChunkWriter} takes its own at start. Any number of writers, in this process or in
 * others, may work at once; garbage collection ({@link #collectGarbage}) is safe against them.
 */
public final class ChunkRepository {

  private static final Logger LOG = LoggerFactory.getLogger(ChunkRepository.class);

  /** The key of the config object, under the repository's prefix. */
  public static final String CONFIG = "klio-repository";

  private final BlobStore store;
  private final String prefix;
  private final RepositoryConfig config;
  private final Chunker chunker;
  private final Codec codec;
  private final ChunkHasher hasher;
  private final ChunkSealer sealer;
  private volatile Duration sessionStaleAfter = Duration.ofHours(1);
  private volatile Snapshot snapshot;

  private ChunkRepository(
      BlobStore store,
      String prefix,
      RepositoryConfig config,
      ChunkHasher hasher,
      ChunkSealer sealer)
      throws IOException {
    this.store = store;
    this.prefix = BlobKey.checkPrefix(prefix);
    this.config = config;
    this.chunker = Chunkers.parse(config.chunker());
    this.codec = Codecs.byName(config.codec());
    this.hasher = hasher;
    this.sealer = sealer;
    if (!hasher.name().equals(config.chunkId())) {
      throw new PermanentException(
          where(prefix + CONFIG)
              + ": the repository's chunk ids are "
              + config.chunkId()
              + " but "
              + hasher.name()
              + " was given"
              + (config.chunkId().startsWith("hmac")
                  ? " (the repository is encrypted: open it with its key ring)"
                  : ""));
    }
    if (!sealer.scheme().equals(config.sealer())) {
      throw new PermanentException(
          where(prefix + CONFIG)
              + ": the repository is sealed with '"
              + config.sealer()
              + "' but '"
              + sealer.scheme()
              + "' was given"
              + (config.sealer().equals("none") ? "" : " (open it with its key ring)"));
    }
    this.snapshot = Snapshot.load(this);
  }

  /**
   * Creates a repository under {@code prefix}; fails when one exists there already.
   *
   * @param hasher {@link Sha256ChunkHasher#INSTANCE}, or the key ring's keyed hasher
   * @param sealer {@link ChunkSealer#NONE}, or the key ring's sealer
   */
  public static ChunkRepository create(
      BlobStore store,
      String prefix,
      RepositoryConfig config,
      ChunkHasher hasher,
      ChunkSealer sealer)
      throws IOException {
    BlobKey key = BlobKey.of(BlobKey.checkPrefix(prefix) + CONFIG);
    byte[] bytes = config.serialize();
    boolean created;
    if (store instanceof ConditionalPut c) {
      created = c.putIfAbsent(key, new ByteArrayInputStream(bytes));
    } else {
      created = store.stat(key).isEmpty();
      if (created) {
        store.put(key, new ByteArrayInputStream(bytes));
      }
    }
    if (!created) {
      throw new PermanentException(
          store.describe() + " " + key + ": a chunk repository exists here already; open it");
    }
    return new ChunkRepository(store, prefix, config, hasher, sealer);
  }

  /** Opens an unencrypted repository. */
  public static ChunkRepository open(BlobStore store, String prefix) throws IOException {
    return open(store, prefix, Sha256ChunkHasher.INSTANCE, ChunkSealer.NONE);
  }

  /** Opens a repository; the hasher and sealer must be the ones its config names. */
  public static ChunkRepository open(
      BlobStore store, String prefix, ChunkHasher hasher, ChunkSealer sealer) throws IOException {
    return new ChunkRepository(store, prefix, readConfig(store, prefix), hasher, sealer);
  }

  /** The config of the repository under {@code prefix}, to pick the keys before opening it. */
  public static RepositoryConfig readConfig(BlobStore store, String prefix) throws IOException {
    BlobKey key = BlobKey.of(BlobKey.checkPrefix(prefix) + CONFIG);
    try (InputStream in = store.get(key)) {
      return RepositoryConfig.parse(store.describe() + " " + key, in.readAllBytes());
    } catch (BlobNotFoundException e) {
      throw new BlobNotFoundException(key, store.describe() + " (no chunk repository here)");
    }
  }

  public RepositoryConfig config() {
    return config;
  }

  public Chunker chunker() {
    return chunker;
  }

  public ChunkHasher hasher() {
    return hasher;
  }

  /**
   * How long a writer session may go without a heartbeat before garbage collection treats it as
   * crashed (default one hour; writers beat every sixth of it).
   */
  public void sessionStaleAfter(Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("sessionStaleAfter must be positive");
    }
    this.sessionStaleAfter = d;
  }

  Duration sessionStaleAfter() {
    return sessionStaleAfter;
  }

  /** Reloads the index snapshot used by reads (not by writers already open). */
  public void refresh() throws IOException {
    snapshot = Snapshot.load(this);
  }

  /** Starts a writer session; close it after the manifest that uses its chunks is stored. */
  public ChunkWriter newWriter() throws IOException {
    return new ChunkWriter(this);
  }

  /** Of {@code ids}, those this repository does not hold, in their given order. */
  public List<ChunkId> missing(Collection<ChunkId> ids) {
    Snapshot s = snapshot;
    List<ChunkId> out = new ArrayList<>();
    for (ChunkId id : ids) {
      if (s.locate(id, true).isEmpty()) {
        out.add(id);
      }
    }
    return out;
  }

  /** The number of index entries of the current snapshot (without {@link #stats()}'s sums). */
  public long indexEntries() {
    return snapshot.table.size;
  }

  /** The number of index entries and packs in the current snapshot. */
  public Stats stats() {
    Snapshot s = snapshot;
    long stored = 0;
    long raw = 0;
    for (int i = 0; i < s.table.size; i++) {
      stored += s.table.length[i];
      raw += s.table.raw[i];
    }
    return new Stats(s.table.size, s.table.packs.length, stored, raw);
  }

  /** Counts of the index snapshot: entries, packs, and their stored and original bytes. */
  public record Stats(long chunks, long packs, long storedBytes, long originalBytes) {}

  /**
   * The plaintext of one chunk, checked against its id.
   *
   * @throws io.klio.api.error.NotFoundException when the repository does not hold it
   * @throws PermanentException when the stored chunk is damaged, naming pack and offset
   */
  public byte[] read(ChunkId id) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Snapshot s = snapshot;
      Optional<Location> loc = s.locate(id, false);
      if (loc.isEmpty()) {
        throw new io.klio.api.error.NotFoundException(
            store.describe() + " " + prefix + ": chunk " + id + " is not in the repository");
      }
      try {
        return readAt(id, loc.get());
      } catch (BlobNotFoundException e) {
        if (attempt > 0) {
          throw e;
        }
        refresh(); // a garbage collection may have moved it since the snapshot
      }
    }
  }

  /**
   * One chunk as stored, opened (decrypted and authenticated when the repository is encrypted) but
   * not decoded: what a restore client receives, decodes and checks against the id itself, so the
   * server neither decompresses nor hashes what it serves.
   *
   * @param codec the codec id of {@code encoded}
   * @param length the chunk's length before encoding
   * @param location the pack's key and the record's offset, for messages
   */
  public record StoredChunk(int codec, byte[] encoded, int length, String location) {}

  /**
   * The stored form of one chunk; see {@link StoredChunk}.
   *
   * @throws io.klio.api.error.NotFoundException when the repository does not hold it
   * @throws PermanentException when the record cannot be opened (damaged, or sealed with another
   *     key), naming pack and offset
   */
  public StoredChunk readStored(ChunkId id) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Optional<Location> loc = snapshot.locate(id, false);
      if (loc.isEmpty()) {
        throw new io.klio.api.error.NotFoundException(
            store.describe() + " " + prefix + ": chunk " + id + " is not in the repository");
      }
      Location l = loc.get();
      BlobKey key = PackFormat.key(prefix, l.pack());
      try {
        byte[] sealed =
            readRange(key, l.offset(), l.length(), "chunk " + id + " at offset " + l.offset());
        String at = key.value() + " offset " + l.offset();
        byte[] record;
        try {
          record = sealer.open(sealed, 0, sealed.length, id.bytesUnsafe());
        } catch (PermanentException e) {
          throw new PermanentException(where(at) + ": chunk " + id + ": " + e.getMessage(), e);
        }
        if (record.length < 1) {
          throw new PermanentException(where(at) + ": chunk " + id + ": empty record");
        }
        return new StoredChunk(
            record[0] & 0xFF, Arrays.copyOfRange(record, 1, record.length), l.raw(), at);
      } catch (BlobNotFoundException e) {
        if (attempt > 0) {
          throw e;
        }
        refresh(); // a garbage collection may have moved it since the snapshot
      }
    }
  }

  byte[] readAt(ChunkId id, Location loc) throws IOException {
    BlobKey key = PackFormat.key(prefix, loc.pack());
    byte[] sealed =
        readRange(key, loc.offset(), loc.length(), "chunk " + id + " at offset " + loc.offset());
    return openRecord(key, loc.offset(), id, sealed, 0, sealed.length, loc.raw());
  }

  /** Opens, decodes and checks one sealed record. */
  byte[] openRecord(BlobKey key, long offset, ChunkId id, byte[] b, int off, int len, int raw)
      throws IOException {
    String at = where(key.value()) + " offset " + offset + ": chunk " + id;
    byte[] record;
    try {
      record = sealer.open(b, off, len, id.bytesUnsafe());
    } catch (PermanentException e) {
      throw new PermanentException(at + ": " + e.getMessage(), e);
    }
    if (record.length < 1) {
      throw new PermanentException(at + ": empty record");
    }
    byte[] plain;
    try {
      Codec c = Codecs.byId(record[0] & 0xFF);
      plain = c.decode(Arrays.copyOfRange(record, 1, record.length), raw);
    } catch (PermanentException e) {
      throw new PermanentException(at + ": " + e.getMessage(), e);
    }
    if (!Arrays.equals(hasher.hash(plain, 0, plain.length), id.bytesUnsafe())) {
      throw new PermanentException(at + ": content does not match its id");
    }
    return plain;
  }

  /**
   * The concatenation of {@code ids}' chunks as a stream (a file reassembled from its chunk list).
   * Chunks are fetched one at a time as the stream is read; memory stays at one chunk.
   */
  public InputStream open(List<ChunkId> ids) {
    return new ReassemblyStream(this, List.copyOf(ids));
  }

  /** Reads every pack and checks every chunk against its id; see {@link Verifier}. */
  public VerifyReport verify(Verifier.Progress progress) throws IOException {
    return new Verifier(this).run(progress);
  }

  /**
   * Deletes what no live chunk needs; see {@link GarbageCollector} for how it stays safe with
   * writers at work.
   */
  public GcReport collectGarbage(GarbageCollector.LiveChunks live, GarbageCollector.Options options)
      throws IOException {
    return new GarbageCollector(this, options).run(live);
  }

  /**
   * Indexes packs that a writer stored but never indexed (it crashed between the two), once that
   * writer's session is gone. Returns how many packs it indexed.
   */
  public int repair() throws IOException {
    return new GarbageCollector(this, GarbageCollector.Options.defaults()).repairOrphans();
  }

  /**
   * Ends the writer sessions that are known to be dead although they are not stale yet: those whose
   * last heartbeat is before {@code aliveSince}. A process that is the repository's only writer
   * (the Klio server owns Tier 1) calls this when it starts, with its start time: every session
   * then open was its previous life's, cut off by a crash. Their packs are indexed (as {@link
   * #repair} does for stale sessions), then their session objects are deleted, so that garbage
   * collection need not wait an hour for them and a new backup finds their chunks at once.
   *
   * @return how many sessions were ended
   */
  public int endSessionsBefore(java.time.Instant aliveSince) throws IOException {
    return new GarbageCollector(this, GarbageCollector.Options.defaults())
        .endSessionsBefore(aliveSince);
  }

  // ---- package internals

  BlobStore store() {
    return store;
  }

  String prefix() {
    return prefix;
  }

  Codec codec() {
    return codec;
  }

  ChunkSealer sealer() {
    return sealer;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  String where(String key) {
    return store.describe() + " " + key;
  }

  BlobKey key(String relative) {
    return BlobKey.of(prefix + relative);
  }

  List<BlobInfo> listUnder(String relative) throws IOException {
    List<BlobInfo> out = new ArrayList<>();
    store.forEach(prefix + relative, out::add);
    return out;
  }

  /**
   * Exactly {@code length} bytes of {@code key} from {@code offset}; a shorter object is damaged
   * ({@code what} names the part that is cut off).
   */
  byte[] readRange(BlobKey key, long offset, int length, String what) throws IOException {
    try (InputStream in = store.get(key, offset, length)) {
      byte[] b = in.readNBytes(length);
      if (b.length != length) {
        throw new PermanentException(where(key.value()) + ": " + what + " is truncated");
      }
      return b;
    }
  }

  byte[] readAll(BlobKey key) throws IOException {
    try (InputStream in = store.get(key)) {
      return in.readAllBytes();
    }
  }

  /** Where a chunk is stored. */
  record Location(String pack, int offset, int length, int raw) {}

  /** The index objects read, their merge, and the condemned packs, at one moment. */
  static final class Snapshot {
    final List<BlobKey> indexKeys;
    final IndexTable table;
    final Set<String> condemned;
    final List<BlobKey> condemnedLists;

    Snapshot(
        List<BlobKey> indexKeys,
        IndexTable table,
        Set<String> condemned,
        List<BlobKey> condemnedLists) {
      this.indexKeys = indexKeys;
      this.table = table;
      this.condemned = condemned;
      this.condemnedLists = condemnedLists;
    }

    static Snapshot load(ChunkRepository repo) throws IOException {
      // condemned lists first: a pack condemned after this point is still indexed below
      List<BlobKey> lists = new ArrayList<>();
      Set<String> condemned = new HashSet<>();
      for (BlobInfo info : repo.listUnder("gc/condemned-")) {
        lists.add(info.key());
        try {
          condemned.addAll(GarbageCollector.readCondemned(repo, info.key()));
        } catch (BlobNotFoundException gone) {
          // swept meanwhile: its packs are gone from the index objects read below as well
        }
      }
      List<BlobKey> keys = new ArrayList<>();
      List<IndexTable> parts = new ArrayList<>();
      for (BlobInfo info : repo.listUnder("index/")) {
        try {
          parts.add(IndexTable.parse(info.key(), repo.readAll(info.key()), repo.sealer));
          keys.add(info.key());
        } catch (BlobNotFoundException gone) {
          LOG.debug("index object {} was replaced while loading", info.key());
        }
      }
      return new Snapshot(keys, IndexTable.merge(parts), condemned, lists);
    }

    /** A location of {@code id}; with {@code liveOnly}, never one in a condemned pack. */
    Optional<Location> locate(ChunkId id, boolean liveOnly) {
      int i = table.first(id);
      if (i < 0) {
        return Optional.empty();
      }
      Location fallback = null;
      for (; table.idEquals(i, id); i++) {
        String p = table.packs[table.pack[i]];
        Location l = new Location(p, table.offset[i], table.length[i], table.raw[i]);
        if (!condemned.contains(p)) {
          return Optional.of(l);
        }
        if (fallback == null) {
          fallback = l;
        }
      }
      return liveOnly ? Optional.empty() : Optional.ofNullable(fallback);
    }
  }
}
