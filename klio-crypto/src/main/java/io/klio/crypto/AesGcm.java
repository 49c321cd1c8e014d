package io.klio.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM with a random 96-bit nonce, for wrapping small secrets (the key ring). */
final class AesGcm {

  private static final SecureRandom RANDOM = new SecureRandom();

  private AesGcm() {}

  /** nonce (12) || ciphertext+tag. */
  static byte[] encrypt(byte[] key, byte[] plaintext, byte[] aad) throws GeneralSecurityException {
    return encrypt(key, plaintext, 0, plaintext.length, aad, 0);
  }

  /** {@code room} free bytes, then nonce (12) || ciphertext+tag of the plaintext range. */
  static byte[] encrypt(byte[] key, byte[] plaintext, int off, int len, byte[] aad, int room)
      throws GeneralSecurityException {
    byte[] out = new byte[room + 12 + len + 16];
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, room, 12);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, out, room, 12));
    c.updateAAD(aad);
    c.doFinal(plaintext, off, len, out, room + 12);
    return out;
  }

  /** Returns null when the tag does not verify (wrong key or altered data). */
  static byte[] decrypt(byte[] key, byte[] wrapped, int offset, byte[] aad)
      throws GeneralSecurityException {
    return decrypt(key, wrapped, offset, wrapped.length - offset, aad);
  }

  /** Decrypts nonce || ciphertext+tag at {@code wrapped[offset, offset + length)}. */
  static byte[] decrypt(byte[] key, byte[] wrapped, int offset, int length, byte[] aad)
      throws GeneralSecurityException {
    if (length < 12 + 16) {
      return null;
    }
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, wrapped, offset, 12));
    c.updateAAD(aad);
    try {
      return c.doFinal(wrapped, offset + 12, length - 12);
    } catch (AEADBadTagException e) {
      return null;
    }
  }

  /**
   * Decrypts a KEK's output with {@code key}; a tag that does not verify is a {@link
   * WrongKeyException} saying that {@code what} does not open it.
   */
  static byte[] unwrapOrRefuse(byte[] key, byte[] wrapped, int offset, byte[] aad, String what)
      throws java.io.IOException {
    try {
      byte[] pt = decrypt(key, wrapped, offset, aad);
      if (pt == null) {
        throw new WrongKeyException(what + " does not open it");
      }
      return pt;
    } catch (GeneralSecurityException e) {
      throw new io.klio.api.error.PermanentException(
          "could not unwrap with " + what + ": " + e.getMessage(), e);
    }
  }

  /** {@code scheme} followed by {@code body}: how each KEK marks what it wrapped. */
  static byte[] withScheme(byte scheme, byte[] body) {
    byte[] out = new byte[body.length + 1];
    out[0] = scheme;
    System.arraycopy(body, 0, out, 1, body.length);
    return out;
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
