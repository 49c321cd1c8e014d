package io.klio.dedup.repo;

import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import io.klio.storage.BlobKey;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer session: stores new chunks into packs and indexes them. Thread-safe: several threads
 * may {@link #put} at once (hashing and compression run in the calling thread; appending to the
 * pack is serialized; a full pack is uploaded by the thread that filled it).
 *
 * <p>Durability: a chunk is stored when {@link #flush()} or {@link #close()} returns, not before.
 * Store the manifest that names the chunks after that, then close the session: garbage collection
 * waits for open sessions that may rely on chunks it condemned (see {@link GarbageCollector}).
 *
 * <p>After any failure to store a pack the writer refuses further work, so no chunk is ever
 * reported stored when it is not.
 */
public final class ChunkWriter implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(ChunkWriter.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int INDEX_EVERY_PACKS = 64;

  private final ChunkRepository repo;
  private final UUID session;
  private final BlobKey sessionKey;
  private final ChunkRepository.Snapshot base;
  private final ChunkIdSet added = new ChunkIdSet();
  private final List<IndexTable> unindexed = new ArrayList<>();
  private final ScheduledExecutorService heartbeat;
  private final String sessionBody;
  private PackBuilder current;
  private int inFlight;
  private IOException failure;
  private boolean closed;
  private long newChunks;
  private long newBytes;
  private long storedBytes;
  private long knownChunks;
  private long packsWritten;

  ChunkWriter(ChunkRepository repo) throws IOException {
    this.repo = repo;
    this.session = UUID.randomUUID();
    this.sessionKey = repo.key("sessions/" + session);
    // the session object exists before the snapshot is read (GarbageCollector relies on it)
    putSession("seen=\n");
    this.base = ChunkRepository.Snapshot.load(repo);
    StringBuilder seen = new StringBuilder("seen=");
    for (BlobKey k : base.condemnedLists) {
      seen.append(k.name()).append(',');
    }
    this.sessionBody = seen.append('\n').toString();
    putSession(sessionBody);
    long beat = Math.max(1000, repo.sessionStaleAfter().toMillis() / 6);
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "klio-chunk-writer-heartbeat-" + session);
              t.setDaemon(true);
              return t;
            });
    heartbeat.scheduleWithFixedDelay(this::beat, beat, beat, TimeUnit.MILLISECONDS);
    this.current = new PackBuilder(session, repo.config().packSize());
  }

  private void putSession(String body) throws IOException {
    repo.store().put(sessionKey, new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }

  private void beat() {
    try {
      putSession(sessionBody);
    } catch (IOException e) {
      LOG.warn("could not refresh writer session {}: {}", sessionKey, e.getMessage());
    }
  }

  /** The session's id, also written in the header of every pack it stores. */
  public UUID session() {
    return session;
  }

  /** Stores {@code data[offset, offset + length)} unless the repository holds it; its id. */
  public ChunkId put(byte[] data, int offset, int length) throws IOException {
    ChunkId id = ChunkId.of(repo.hasher().hash(data, offset, length));
    store(id, data, offset, length);
    return id;
  }

  /**
   * Stores a chunk whose id the caller computed (a client that asked {@link #missing} first); the
   * id is checked.
   *
   * @throws PermanentException when the data does not have that id
   */
  public void put(ChunkId id, byte[] data, int offset, int length) throws IOException {
    ChunkId actual = ChunkId.of(repo.hasher().hash(data, offset, length));
    if (!actual.equals(id)) {
      throw new PermanentException(
          "chunk sent as " + id + " has id " + actual + " (" + length + " bytes); not stored");
    }
    store(id, data, offset, length);
  }

  /**
   * Stores a chunk that a client already encoded with codec {@code codecId} (a backup client
   * compresses before it uploads, so that the server does not compress again). The bytes are
   * decoded and hashed before they are stored: a chunk whose content does not have its id is never
   * stored, so no client can make another backup's chunk list point at wrong bytes.
   *
   * @param originalLength the chunk's length before encoding
   * @throws PermanentException when the bytes do not decode to {@code originalLength} bytes with id
   *     {@code id}, or the codec is unknown; nothing is stored
   */
  public void putEncoded(
      ChunkId id, int codecId, byte[] data, int offset, int length, int originalLength)
      throws IOException {
    synchronized (this) {
      check();
      if (added.contains(id) || base.locate(id, true).isPresent()) {
        knownChunks++;
        return;
      }
    }
    Codec codec = Codecs.byId(codecId);
    byte[] encoded = Arrays.copyOfRange(data, offset, offset + length);
    byte[] plain;
    try {
      plain = codec.decode(encoded, originalLength);
    } catch (PermanentException e) {
      throw new PermanentException(
          "chunk " + id + " (" + codec.name() + "): " + e.getMessage() + "; not stored", e);
    }
    if (plain.length != originalLength) {
      throw new PermanentException(
          "chunk "
              + id
              + " decodes to "
              + plain.length
              + " bytes, not the "
              + originalLength
              + " it was sent as; not stored");
    }
    ChunkId actual = ChunkId.of(repo.hasher().hash(plain, 0, plain.length));
    if (!actual.equals(id)) {
      throw new PermanentException(
          "chunk sent as "
              + id
              + " has id "
              + actual
              + " ("
              + originalLength
              + " bytes); not stored");
    }
    byte[] record = new byte[encoded.length + 1];
    record[0] = (byte) codecId;
    System.arraycopy(encoded, 0, record, 1, encoded.length);
    append(id, record, originalLength);
  }

  /** Stores a copy even though the repository holds the chunk elsewhere (repacking). */
  void putCopy(ChunkId id, byte[] data) throws IOException {
    store(id, data, 0, data.length, true);
  }

  /** Of {@code ids}, those neither the repository nor this session holds, in their given order. */
  public List<ChunkId> missing(Collection<ChunkId> ids) throws IOException {
    List<ChunkId> out = new ArrayList<>();
    synchronized (this) {
      check();
      for (ChunkId id : ids) {
        if (!added.contains(id) && base.locate(id, true).isEmpty()) {
          out.add(id);
        }
      }
    }
    return out;
  }

  private void store(ChunkId id, byte[] data, int offset, int length) throws IOException {
    store(id, data, offset, length, false);
  }

  private void store(ChunkId id, byte[] data, int offset, int length, boolean copy)
      throws IOException {
    synchronized (this) {
      check();
      if (added.contains(id) || (!copy && base.locate(id, true).isPresent())) {
        knownChunks++;
        return;
      }
    }
    Codecs.Encoded e = Codecs.encodeOrStore(repo.codec(), data, offset, length);
    byte[] record = new byte[e.bytes().length + 1];
    record[0] = (byte) e.codec().id();
    System.arraycopy(e.bytes(), 0, record, 1, e.bytes().length);
    append(id, record, length);
  }

  /**
   * Seals {@code record} (codec byte and encoded chunk) and appends it to the pack being filled.
   */
  private void append(ChunkId id, byte[] record, int length) throws IOException {
    byte[] sealed = repo.sealer().seal(record, 0, record.length, id.bytesUnsafe());
    PackBuilder full = null;
    synchronized (this) {
      check();
      if (!added.add(id)) {
        knownChunks++;
        return; // another thread stored it meanwhile
      }
      current.add(id, sealed, length);
      newChunks++;
      newBytes += length;
      storedBytes += sealed.length;
      if (current.size() >= repo.config().packSize()) {
        full = current;
        current = new PackBuilder(session, repo.config().packSize());
        inFlight++;
      }
    }
    if (full != null) {
      upload(full);
    }
  }

  private void upload(PackBuilder pack) throws IOException {
    IndexTable written = null;
    IOException error = null;
    try {
      byte[] idBytes = new byte[16];
      RANDOM.nextBytes(idBytes);
      String hex = PackFormat.HEX.formatHex(idBytes);
      written = pack.finishAndStore(repo, hex);
    } catch (IOException | RuntimeException e) {
      error = e instanceof IOException io ? io : new IOException(e);
    }
    List<IndexTable> batch = null;
    synchronized (this) {
      inFlight--;
      if (error != null) {
        if (failure == null) {
          failure = error;
        }
      } else {
        unindexed.add(written);
        packsWritten++;
        if (unindexed.size() >= INDEX_EVERY_PACKS) {
          batch = new ArrayList<>(unindexed);
          unindexed.clear();
        }
      }
      notifyAll();
    }
    if (error != null) {
      throw error;
    }
    if (batch != null) {
      writeIndex(batch);
    }
  }

  private void writeIndex(List<IndexTable> batch) throws IOException {
    try {
      GarbageCollector.writeIndexObject(repo, IndexTable.merge(batch));
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        if (failure == null) {
          failure = e instanceof IOException io ? io : new IOException(e);
        }
      }
      throw e;
    }
  }

  /**
   * Stores the pack being filled and indexes every stored pack; when it returns, every chunk put so
   * far is durable and findable by new sessions.
   */
  public void flush() throws IOException {
    PackBuilder last = null;
    synchronized (this) {
      check();
      if (current.count() > 0) {
        last = current;
        current = new PackBuilder(session, repo.config().packSize());
        inFlight++;
      }
    }
    if (last != null) {
      upload(last);
    }
    List<IndexTable> batch;
    synchronized (this) {
      while (inFlight > 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while waiting for pack uploads");
        }
      }
      check();
      batch = new ArrayList<>(unindexed);
      unindexed.clear();
    }
    if (!batch.isEmpty()) {
      writeIndex(batch);
    }
  }

  /** What this session stored and reused so far. */
  public synchronized Stats stats() {
    return new Stats(newChunks, newBytes, storedBytes, knownChunks, packsWritten);
  }

  /**
   * Counts of one session.
   *
   * @param newChunks chunks this session stored
   * @param newBytes their original size
   * @param storedBytes their size as stored (compressed, sealed)
   * @param knownChunks puts of chunks the repository or session already held
   * @param packs packs stored
   */
  public record Stats(
      long newChunks, long newBytes, long storedBytes, long knownChunks, long packs) {}

  private void check() throws IOException {
    if (closed) {
      throw new IllegalStateException("chunk writer " + session + " is closed");
    }
    if (failure != null) {
      throw new IOException(
          "chunk writer " + session + " stopped after an earlier failure: " + failure.getMessage(),
          failure);
    }
  }

  /**
   * Flushes, then ends the session. After a failure the session object is kept, so a garbage
   * collection treats the session as crashed (stale) rather than finished.
   */
  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    try {
      flush();
    } finally {
      boolean failed;
      synchronized (this) {
        closed = true;
        failed = failure != null;
      }
      heartbeat.shutdownNow();
      if (!failed) {
        repo.store().delete(sessionKey);
      }
    }
  }

  /** The pack being filled: header, records, and its own index. Guarded by the writer. */
  static final class PackBuilder {
    private final ByteBuffer32 bytes;
    private final PackFormat.PackIndex index = new PackFormat.PackIndex(128);

    PackBuilder(UUID session, int target) {
      bytes = new ByteBuffer32(Math.min(target + (1 << 20), 1 << 20));
      PackFormat.writeHeader(bytes, session);
    }

    void add(ChunkId id, byte[] sealed, int raw) {
      if ((long) bytes.size() + sealed.length > Integer.MAX_VALUE - (1 << 24)) {
        throw new IllegalStateException("pack would exceed 2 GiB");
      }
      index.add(id.bytesUnsafe(), 0, bytes.size(), sealed.length, raw);
      bytes.write(sealed);
    }

    int size() {
      return bytes.size();
    }

    int count() {
      return index.size();
    }

    /** Seals the pack index, stores the pack; its sorted table. */
    IndexTable finishAndStore(ChunkRepository repo, String hex) throws IOException {
      PackFormat.writeTrailer(bytes, hex, index, repo.sealer());
      repo.store().put(PackFormat.key(repo.prefix(), hex), bytes.stream());
      return IndexTable.ofPack(hex, index);
    }
  }
}
