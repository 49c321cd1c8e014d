package io.klio.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.klio.api.ChunkHasher;
import io.klio.api.ChunkSealer;
import io.klio.api.error.PermanentException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A repository's keys: data keys (one active, older ones retired or compromised) and the secret
 * from which keyed chunk ids are derived. Immutable: every change returns a new ring, which {@link
 * KeyRingStore} stores as the next version. Thread-safe. {@link #toString()} shows ids and states,
 * never key material.
 */
public final class KeyRing {

  static {
    try {
      StreamingAeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int FORMAT = 1;

  private final UUID repositoryId;
  private final long version;
  private final List<DataKey> keys;
  private final byte[] chunkIdSecret;
  private final Map<Integer, StreamingAead> primitives = new ConcurrentHashMap<>();

  KeyRing(UUID repositoryId, long version, List<DataKey> keys, byte[] chunkIdSecret) {
    this.repositoryId = repositoryId;
    this.version = version;
    this.keys = List.copyOf(keys);
    this.chunkIdSecret = chunkIdSecret.clone();
    if (this.keys.stream().filter(k -> k.state() == DataKey.State.ACTIVE).count() != 1) {
      throw new IllegalStateException("a key ring has exactly one active data key");
    }
  }

  /** A new ring for a new repository: one active data key and a fresh chunk-id secret. */
  public static KeyRing generate(UUID repositoryId) throws PermanentException {
    return new KeyRing(repositoryId, 0, List.of(newDataKey(List.of())), AesGcm.random(32));
  }

  // The cleartext keyset format is what we want here: the whole ring is encrypted with the KEK.
  @SuppressWarnings("deprecation")
  private static DataKey newDataKey(List<DataKey> existing) throws PermanentException {
    try {
      while (true) {
        KeysetHandle h =
            KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
        int id = h.getPrimary().getId();
        if (existing.stream().noneMatch(k -> k.id() == id) && id != 0) {
          return new DataKey(
              id,
              Instant.now(),
              DataKey.State.ACTIVE,
              TinkProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get()));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new PermanentException("could not generate a data key: " + e.getMessage(), e);
    }
  }

  public UUID repositoryId() {
    return repositoryId;
  }

  /** The stored version this ring was read as (0 before it was first stored). */
  public long version() {
    return version;
  }

  public List<DataKey> keys() {
    return keys;
  }

  public DataKey activeKey() {
    return keys.stream().filter(k -> k.state() == DataKey.State.ACTIVE).findFirst().orElseThrow();
  }

  public Optional<DataKey> key(int id) {
    return keys.stream().filter(k -> k.id() == id).findFirst();
  }

  /** A ring with a new active key; the old active key is retired and still decrypts. */
  public KeyRing withNewActiveKey() throws PermanentException {
    List<DataKey> next = new ArrayList<>();
    for (DataKey k : keys) {
      next.add(k.state() == DataKey.State.ACTIVE ? k.withState(DataKey.State.RETIRED) : k);
    }
    next.add(newDataKey(keys));
    return new KeyRing(repositoryId, version, next, chunkIdSecret);
  }

  /** Marks a key compromised (rotating first if it is the active one). */
  public KeyRing withCompromised(int id) throws PermanentException {
    if (key(id).isEmpty()) {
      throw new PermanentException(
          "no data key "
              + Integer.toUnsignedString(id)
              + " in the ring of repository "
              + repositoryId);
    }
    KeyRing r = activeKey().id() == id ? withNewActiveKey() : this;
    List<DataKey> next = new ArrayList<>();
    for (DataKey k : r.keys) {
      next.add(k.id() == id ? k.withState(DataKey.State.COMPROMISED) : k);
    }
    return new KeyRing(repositoryId, version, next, chunkIdSecret);
  }

  /** Drops a key that no object uses any more. */
  public KeyRing without(int id) {
    List<DataKey> next = new ArrayList<>(keys);
    next.removeIf(k -> k.id() == id && k.state() != DataKey.State.ACTIVE);
    return new KeyRing(repositoryId, version, next, chunkIdSecret);
  }

  KeyRing asVersion(long v) {
    return new KeyRing(repositoryId, v, keys, chunkIdSecret);
  }

  /** Data key {@code id}, or a {@link WrongKeyException} that names it and this repository. */
  DataKey requireKey(int id) throws WrongKeyException {
    return key(id)
        .orElseThrow(
            () ->
                new WrongKeyException(
                    "data key "
                        + Integer.toUnsignedString(id)
                        + " is not in the key ring of repository "
                        + repositoryId
                        + " (a key that was removed, or an object of another repository)"));
  }

  /** The streaming AEAD of data key {@code id}. */
  StreamingAead streamingAead(int id) throws PermanentException {
    DataKey k = requireKey(id);
    try {
      return primitives.computeIfAbsent(id, x -> primitive(k));
    } catch (UncheckedIOException e) {
      throw new PermanentException(e.getMessage(), e.getCause());
    }
  }

  @SuppressWarnings("deprecation") // see newDataKey
  private static StreamingAead primitive(DataKey k) {
    try {
      KeysetHandle h = TinkProtoKeysetFormat.parseKeyset(k.keyset(), InsecureSecretKeyAccess.get());
      return h.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
    } catch (GeneralSecurityException e) {
      throw new UncheckedIOException(new IOException("data key " + k.id() + " is unusable", e));
    }
  }

  /** Keyed chunk ids: HMAC-SHA-256 with a key derived from the ring's chunk-id secret. */
  public ChunkHasher chunkHasher() {
    return new KeyedChunkHasher(chunkIdSecret);
  }

  /**
   * The 32-byte HMAC key of {@link #chunkHasher()}'s ids, which a server hands to backup clients
   * ({@code BackupBegun.chunk_id_key}) so that they compute the repository's ids without the ring.
   * A secret: whoever holds it can test whether the repository holds a given chunk.
   */
  public byte[] chunkIdKey() {
    return KeyedChunkHasher.key(chunkIdSecret);
  }

  /**
   * Seals chunks and index objects of a chunk repository with this ring's data keys (scheme {@code
   * aes256-gcm-keyed}); thread-safe.
   */
  public ChunkSealer chunkSealer() {
    return new KeyRingChunkSealer(this);
  }

  byte[] serialize() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(FORMAT);
      out.write(chunkIdSecret);
      out.writeInt(keys.size());
      for (DataKey k : keys) {
        out.writeInt(k.id());
        out.writeLong(k.created().getEpochSecond());
        out.writeByte(k.state().ordinal());
        out.writeInt(k.keyset().length);
        out.write(k.keyset());
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KeyRing parse(UUID repositoryId, long version, byte[] plain) throws PermanentException {
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plain));
      int format = in.readInt();
      if (format != FORMAT) {
        throw new PermanentException(
            "the key ring of repository "
                + repositoryId
                + " has format "
                + format
                + ", which this version of Klio does not know; upgrade Klio");
      }
      byte[] secret = in.readNBytes(32);
      int n = in.readInt();
      List<DataKey> keys = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int id = in.readInt();
        Instant created = Instant.ofEpochSecond(in.readLong());
        DataKey.State state = DataKey.State.values()[in.readByte()];
        byte[] keyset = in.readNBytes(in.readInt());
        keys.add(new DataKey(id, created, state, keyset));
      }
      return new KeyRing(repositoryId, version, keys, secret);
    } catch (IOException | RuntimeException e) {
      throw new PermanentException(
          "the key ring of repository " + repositoryId + " is malformed", e);
    }
  }

  @Override
  public String toString() {
    return "KeyRing[repository " + repositoryId + ", version " + version + ", keys " + keys + "]";
  }
}
