package io.klio.crypto;

import java.time.Instant;

/**
 * One data key of a {@link KeyRing}: a Tink streaming-AEAD keyset ({@code AES256_GCM_HKDF_1MB})
 * with its id (as written in object headers), creation time and state. {@link #toString()} never
 * shows the key.
 */
public final class DataKey {

  /** What a key may do. */
  public enum State {
    /** Encrypts new objects (exactly one key is active). */
    ACTIVE,
    /** Decrypts old objects only. */
    RETIRED,
    /** Decrypts only to re-encrypt: objects sealed with it should be rewritten. */
    COMPROMISED
  }

  private final int id;
  private final Instant created;
  private final State state;
  private final byte[] keyset;

  DataKey(int id, Instant created, State state, byte[] keyset) {
    this.id = id;
    this.created = created;
    this.state = state;
    this.keyset = keyset.clone();
  }

  public int id() {
    return id;
  }

  public Instant created() {
    return created;
  }

  public State state() {
    return state;
  }

  byte[] keyset() {
    return keyset.clone();
  }

  DataKey withState(State s) {
    return new DataKey(id, created, s, keyset);
  }

  @Override
  public String toString() {
    return "DataKey[id="
        + Integer.toUnsignedString(id)
        + ", "
        + state
        + ", created "
        + created
        + "]";
  }
}
