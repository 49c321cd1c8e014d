package io.klio.crypto;

import io.klio.api.error.PermanentException;
import io.klio.api.spi.Providers;
import java.io.IOException;
import java.util.Map;

/**
 * Opens a key-encryption key from a specification {@code scheme:location}:
 *
 * <ul>
 *   <li>{@code file:/path}: 32 raw bytes, 64 hex digits or base64 of 32 bytes (a mounted Kubernetes
 *       Secret is such a file);
 *   <li>{@code env:NAME}: the same, in an environment variable;
 *   <li>{@code passphrase-file:/path}, {@code passphrase-env:NAME}: a passphrase stretched with
 *       Argon2id (parameters stored with the wrapped ring);
 *   <li>{@code tink-keyset:/path}: a cleartext Tink JSON keyset holding an AEAD key;
 *   <li>any scheme a {@link KekProvider} on the class path adds.
 * </ul>
 *
 * <p>Every scheme, the built-in ones included, is a {@link KekProvider} listed in {@code
 * META-INF/services/io.klio.crypto.KekProvider}, found through {@link Providers}. Stateless and
 * thread-safe.
 */
public final class Keks {

  private Keks() {}

  /**
   * Opens the key-encryption key {@code spec} names.
   *
   * @throws PermanentException for a specification without a scheme, an unknown scheme (listing the
   *     known ones), or a key its provider cannot open (naming the file or variable, never the key)
   * @throws IllegalStateException when two providers claim one scheme
   */
  public static Kek open(String spec) throws IOException {
    int colon = spec == null ? -1 : spec.indexOf(':');
    if (colon <= 0) {
      throw new PermanentException(
          "invalid key-encryption key specification '"
              + spec
              + "': write scheme:location, such as file:/etc/klio/kek or env:KLIO_KEK");
    }
    KekProvider p =
        Providers.find(
            KekProvider.class,
            KekProvider::scheme,
            spec.substring(0, colon),
            "key-encryption key scheme");
    return p.open(spec.substring(colon + 1));
  }

  /** The path of a key source file, which must be readable; the message names what it is. */
  static java.nio.file.Path readableFile(String location, String what) throws PermanentException {
    java.nio.file.Path p = java.nio.file.Path.of(location);
    if (!java.nio.file.Files.isReadable(p)) {
      throw new PermanentException(what + " " + p + " does not exist or is not readable");
    }
    return p;
  }

  /** The providers on the class path, by scheme. */
  static Map<String, KekProvider> providers() {
    return Providers.all(KekProvider.class, KekProvider::scheme);
  }
}
