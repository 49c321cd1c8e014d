package io.klio.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import io.klio.api.error.PermanentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/** A cleartext Tink JSON keyset with an AEAD primary key (as {@code tinkey} writes it). */
final class TinkKek implements Kek {

  static final byte SCHEME = 3;

  private final Aead aead;
  private final String description;

  TinkKek(Aead aead, String description) {
    this.aead = aead;
    this.description = description;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public byte[] wrap(byte[] plaintext, byte[] aad) throws IOException {
    try {
      byte[] ct = aead.encrypt(plaintext, aad);
      return AesGcm.withScheme(SCHEME, ct);
    } catch (GeneralSecurityException e) {
      throw new PermanentException("could not wrap with " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws IOException {
    if (wrapped.length == 0 || wrapped[0] != SCHEME) {
      throw new WrongKeyException("it was not wrapped with a Tink keyset");
    }
    try {
      return aead.decrypt(java.util.Arrays.copyOfRange(wrapped, 1, wrapped.length), aad);
    } catch (GeneralSecurityException e) {
      throw new WrongKeyException("the keyset " + description + " does not open it");
    }
  }

  @Override
  public String toString() {
    return "Kek[" + description + "]";
  }

  /** {@code tink-keyset:/path}. Reading a user's cleartext keyset file is the point here. */
  @SuppressWarnings("deprecation")
  public static final class Provider implements KekProvider {
    @Override
    public String scheme() {
      return "tink-keyset";
    }

    @Override
    public Kek open(String location) throws IOException {
      Path p = Keks.readableFile(location, "Tink keyset file");
      try {
        AeadConfig.register();
        KeysetHandle handle =
            TinkJsonProtoKeysetFormat.parseKeyset(
                Files.readString(p), InsecureSecretKeyAccess.get());
        return new TinkKek(
            handle.getPrimitive(RegistryConfiguration.get(), Aead.class), "Tink keyset " + p);
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new PermanentException(
            "Tink keyset file " + p + " is not a valid cleartext JSON keyset with an AEAD key", e);
      }
    }
  }
}
