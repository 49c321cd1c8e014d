package io.klio.crypto;

import io.klio.api.error.PermanentException;
import io.klio.api.format.ObjectHeader;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.ConditionalPut;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps a repository's {@link KeyRing} in its {@link BlobStore} as {@code keys/keyring-<version>}:
 * a clear header (magic {@code KLKR}, format 1, repository id, version) and the ring wrapped by the
 * user's {@link Kek} with the header as associated data. Each change writes the next version
 * (create-if-absent where the store can, so two writers cannot both win) and then deletes older
 * versions, so an old KEK stops opening anything once the KEK is rotated.
 */
public final class KeyRingStore {

  static final String PREFIX = "keys/keyring-";
  private static final int MAGIC = 0x4B4C4B52; // "KLKR"
  private static final int HEADER = 4 + 1 + 16 + 8;

  private final BlobStore store;

  public KeyRingStore(BlobStore store) {
    this.store = store;
  }

  static BlobKey keyOf(long version) {
    return BlobKey.of(String.format("%s%010d", PREFIX, version));
  }

  /** The newest stored version, if any. */
  public Optional<Long> latestVersion() throws IOException {
    List<BlobInfo> all = new ArrayList<>();
    store.forEach(PREFIX, all::add);
    return all.isEmpty()
        ? Optional.empty()
        : Optional.of(
            Long.parseLong(all.get(all.size() - 1).key().value().substring(PREFIX.length())));
  }

  /** Creates the ring of a new repository. */
  public KeyRing create(Kek kek) throws IOException {
    Optional<Long> latest = latestVersion();
    if (latest.isPresent()) {
      throw new PermanentException(
          "the repository at "
              + store.describe()
              + " already has a key ring (version "
              + latest.get()
              + "); use rotate-kek or rotate-data-key to change it");
    }
    return write(KeyRing.generate(UUID.randomUUID()), 1, kek);
  }

  /** Opens the newest ring with {@code kek}. */
  public KeyRing load(Kek kek) throws IOException {
    long version =
        latestVersion()
            .orElseThrow(
                () ->
                    new PermanentException(
                        "the repository at "
                            + store.describe()
                            + " has no key ring; create one with: klio keys generate"));
    BlobKey key = keyOf(version);
    byte[] bytes;
    try (InputStream in = store.get(key)) {
      bytes = in.readAllBytes();
    }
    if (bytes.length < HEADER || ByteBuffer.wrap(bytes).getInt() != MAGIC || bytes[4] != 1) {
      throw new PermanentException(
          "'" + key + "' in " + store.describe() + " is not a key ring of a known format");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 5, 24);
    UUID repo = new UUID(b.getLong(), b.getLong());
    byte[] header = java.util.Arrays.copyOf(bytes, HEADER);
    byte[] plain;
    try {
      plain = kek.unwrap(java.util.Arrays.copyOfRange(bytes, HEADER, bytes.length), header);
    } catch (WrongKeyException e) {
      throw new WrongKeyException(
          "cannot open the key ring of repository "
              + repo
              + " ('"
              + key
              + "' in "
              + store.describe()
              + ") with "
              + kek.describe()
              + ": "
              + e.getMessage()
              + "; check the configured key-encryption key (nothing was written)");
    }
    return KeyRing.parse(repo, version, plain);
  }

  /**
   * Stores {@code ring} as the next version, wrapped with {@code kek}, and drops older versions.
   */
  public KeyRing save(KeyRing ring, Kek kek) throws IOException {
    long next = latestVersion().orElse(0L) + 1;
    KeyRing saved = write(ring, next, kek);
    for (long v = next - 1; v >= 1; v--) {
      store.delete(keyOf(v));
    }
    return saved;
  }

  private KeyRing write(KeyRing ring, long version, Kek kek) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(HEADER).putInt(MAGIC).put((byte) 1);
    h.putLong(ring.repositoryId().getMostSignificantBits())
        .putLong(ring.repositoryId().getLeastSignificantBits());
    h.putLong(version);
    byte[] header = h.array();
    byte[] wrapped = kek.wrap(ring.serialize(), header);
    byte[] object = new byte[header.length + wrapped.length];
    System.arraycopy(header, 0, object, 0, header.length);
    System.arraycopy(wrapped, 0, object, header.length, wrapped.length);
    BlobKey key = keyOf(version);
    if (store instanceof ConditionalPut cp) {
      if (!cp.putIfAbsent(key, new ByteArrayInputStream(object))) {
        throw new PermanentException(
            "another process changed the key ring of repository "
                + ring.repositoryId()
                + " at the same time ('"
                + key
                + "' exists); retry");
      }
    } else {
      store.put(key, new ByteArrayInputStream(object));
    }
    return ring.asVersion(version);
  }

  /** Re-wraps the ring with a new KEK: seconds, whatever the repository's size. */
  public KeyRing rotateKek(Kek current, Kek next) throws IOException {
    return save(load(current), next);
  }

  /** New objects use a new data key; objects sealed with older keys stay readable. */
  public KeyRing rotateDataKey(Kek kek) throws IOException {
    return save(load(kek).withNewActiveKey(), kek);
  }

  /**
   * Rewrites every object under {@code prefix} sealed with data key {@code keyId} with the active
   * key, then removes that key from the ring. For a key that may have leaked.
   *
   * @return how many objects were rewritten
   */
  public long reEncrypt(Kek kek, int keyId, String prefix) throws IOException {
    KeyRing ring = save(load(kek).withCompromised(keyId), kek);
    SealedObjects sealed = SealedObjects.encrypted(ring);
    List<BlobKey> keys = new ArrayList<>();
    store.forEach(
        prefix,
        o -> {
          if (!o.key().value().startsWith(PREFIX)) {
            keys.add(o.key());
          }
        });
    long rewritten = 0;
    for (BlobKey k : keys) {
      ObjectHeader h;
      try (InputStream in = store.get(k)) {
        h = ObjectHeader.read(k.value(), in);
      }
      if (h.encryption() == ObjectHeader.ENCRYPTION_NONE || h.keyId() != keyId) {
        continue;
      }
      try (InputStream in = store.get(k)) {
        SealedObjects.Opened o = sealed.open(k, in);
        store.put(k, sealed.seal(k, h.type(), h.codec(), h.plaintextLength(), o.payload()));
      }
      rewritten++;
    }
    save(ring.without(keyId), kek);
    return rewritten;
  }
}
