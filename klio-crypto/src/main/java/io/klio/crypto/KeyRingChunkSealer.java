package io.klio.crypto;

import io.klio.api.ChunkSealer;
import io.klio.api.error.PermanentException;
import io.klio.api.format.CorruptObjectException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals chunks and index objects with the key ring's data keys: {@code version (1) || data key id
 * (4) || nonce (12) || AES-256-GCM ciphertext and tag (16)}. The AES key of each object is
 * HMAC-SHA-256(sealing key of the data key, associated data): every chunk id gets its own key, so
 * the random 96-bit nonces never approach GCM's per-key limit however many chunks a data key seals.
 * New objects use the active data key; any key still in the ring opens.
 */
final class KeyRingChunkSealer implements ChunkSealer {

  static final String SCHEME = "aes256-gcm-keyed";
  private static final int VERSION = 1;
  private static final int HEADER = 5;

  private final KeyRing ring;
  private final Map<Integer, byte[]> sealingKeys = new ConcurrentHashMap<>();

  KeyRingChunkSealer(KeyRing ring) {
    this.ring = ring;
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public byte[] seal(byte[] plain, int offset, int length, byte[] associatedData)
      throws PermanentException {
    DataKey k = ring.activeKey();
    try {
      byte[] out =
          AesGcm.encrypt(
              objectKey(k.id(), associatedData), plain, offset, length, associatedData, HEADER);
      out[0] = VERSION;
      out[1] = (byte) (k.id() >>> 24);
      out[2] = (byte) (k.id() >>> 16);
      out[3] = (byte) (k.id() >>> 8);
      out[4] = (byte) k.id();
      return out;
    } catch (GeneralSecurityException e) {
      throw new PermanentException("could not seal: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] open(byte[] sealed, int offset, int length, byte[] associatedData)
      throws PermanentException {
    if (length < HEADER + 12 + 16) {
      throw new CorruptObjectException("sealed object is too short (" + length + " bytes)");
    }
    if (sealed[offset] != VERSION) {
      throw new CorruptObjectException(
          "unknown sealing version " + (sealed[offset] & 0xFF) + " (written by a newer Klio?)");
    }
    int id =
        ((sealed[offset + 1] & 0xFF) << 24)
            | ((sealed[offset + 2] & 0xFF) << 16)
            | ((sealed[offset + 3] & 0xFF) << 8)
            | (sealed[offset + 4] & 0xFF);
    byte[] key = objectKey(id, associatedData);
    try {
      byte[] plain = AesGcm.decrypt(key, sealed, offset + HEADER, length - HEADER, associatedData);
      if (plain == null) {
        throw new CorruptObjectException(
            "authentication failed with data key "
                + Integer.toUnsignedString(id)
                + " of repository "
                + ring.repositoryId()
                + ": the bytes were altered, moved from another place, or sealed by another key ring");
      }
      return plain;
    } catch (GeneralSecurityException e) {
      throw new PermanentException("could not open: " + e.getMessage(), e);
    }
  }

  private byte[] objectKey(int id, byte[] associatedData) throws PermanentException {
    byte[] sealing = sealingKeys.get(id);
    if (sealing == null) {
      DataKey k = ring.requireKey(id);
      sealing =
          KeyedChunkHasher.hkdf(
              k.keyset(), ("klio chunk sealing v1 " + id).getBytes(StandardCharsets.US_ASCII));
      sealingKeys.put(id, sealing);
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(sealing, "HmacSHA256"));
      return mac.doFinal(associatedData);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "KeyRingChunkSealer[repository=" + ring.repositoryId() + "]";
  }
}
