package io.klio.crypto;

import io.klio.api.error.PermanentException;
import java.io.IOException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

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
 */
public final class Keks {

  private Keks() {}

  public static Kek open(String spec) throws IOException {
    int colon = spec == null ? -1 : spec.indexOf(':');
    if (colon <= 0) {
      throw new PermanentException(
          "invalid key-encryption key specification '"
              + spec
              + "': write scheme:location, such as file:/etc/klio/kek or env:KLIO_KEK");
    }
    String scheme = spec.substring(0, colon);
    Map<String, KekProvider> providers = providers();
    KekProvider p = providers.get(scheme);
    if (p == null) {
      throw new PermanentException(
          "unknown key-encryption key scheme '"
              + scheme
              + "'; known: "
              + String.join(", ", providers.keySet()));
    }
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

  static Map<String, KekProvider> providers() {
    Map<String, KekProvider> m = new TreeMap<>();
    for (KekProvider p :
        new KekProvider[] {
          new RawKek.FileProvider(),
          new RawKek.EnvProvider(),
          new PassphraseKek.FileProvider(),
          new PassphraseKek.EnvProvider(),
          new TinkKek.Provider()
        }) {
      m.put(p.scheme(), p);
    }
    for (KekProvider p : ServiceLoader.load(KekProvider.class)) {
      KekProvider earlier = m.putIfAbsent(p.scheme(), p);
      if (earlier != null && earlier.getClass() != p.getClass()) {
        throw new IllegalStateException(
            "two key providers claim the scheme '"
                + p.scheme()
                + "': "
                + earlier.getClass().getName()
                + " and "
                + p.getClass().getName());
      }
    }
    return m;
  }
}
