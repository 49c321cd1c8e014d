package io.klio.crypto;

import java.io.IOException;

/**
 * Opens {@link Kek}s of one kind, named by a scheme: {@code file}, {@code env}, {@code
 * passphrase-file}, {@code passphrase-env}, {@code tink-keyset} are built in; a third party adds a
 * KMS by implementing this and listing it in {@code META-INF/services/io.klio.crypto.KekProvider}.
 */
public interface KekProvider {

  /** The scheme before the colon, such as {@code file}. */
  String scheme();

  /** Opens the key at {@code location} (the text after {@code scheme:}). */
  Kek open(String location) throws IOException;
}
