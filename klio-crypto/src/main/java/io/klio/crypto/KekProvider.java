package io.klio.crypto;

import java.io.IOException;

/**
 * Opens {@link Kek}s of one kind, named by a scheme: {@code file}, {@code env}, {@code
 * passphrase-file}, {@code passphrase-env}, {@code tink-keyset} are built in; a third party adds a
 * KMS by implementing this and listing it in {@code META-INF/services/io.klio.crypto.KekProvider},
 * as the built-in ones are. {@link Keks#open} finds the provider by scheme; two providers claiming
 * one scheme fail every lookup ({@link IllegalStateException} naming both classes).
 *
 * <p><b>Lifecycle and threading.</b> Needs a public no-argument constructor. A new instance is made
 * for each {@link Keks#open}, on the caller's thread, so creating one must be cheap and touch
 * nothing outside the JVM; the work (reading a file, reaching a KMS) happens in {@link #open}. The
 * {@link Kek} it returns must be thread-safe.
 */
public interface KekProvider {

  /**
   * The scheme before the colon, such as {@code file}: lower case, constant, unique on the class
   * path.
   */
  String scheme();

  /**
   * Opens the key at {@code location} (the text after {@code scheme:}), on the caller's thread.
   *
   * @throws io.klio.api.error.PermanentException when the location is malformed, the file or
   *     variable is missing, or the key is not a usable key: the message names the location and
   *     never shows key material
   * @throws io.klio.api.error.RetryableException when the key's service did not answer; Klio does
   *     not retry it (the command or the server's start fails), a person or supervisor may
   */
  Kek open(String location) throws IOException;
}
