package io.klio.walstream;

import io.klio.api.error.PermanentException;
import io.klio.api.spi.Providers;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes {@link WalSink}s of one kind, found by {@link #name()} through {@link Providers} (list the
 * class in {@code META-INF/services/io.klio.walstream.WalSinkProvider}; it needs a public
 * no-argument constructor). Two providers with one name fail every lookup ({@link
 * IllegalStateException} naming both classes).
 *
 * <p>A provider is created for each {@link #open(String, Map)}, on the caller's thread: creating it
 * must be cheap and touch nothing outside the JVM. It must be thread-safe.
 */
public interface WalSinkProvider {

  /** The sink's name, such as {@code directory}: constant, unique on the class path. */
  String name();

  /**
   * The option names {@link #open(Map)} accepts: constant. {@link #open(String, Map)} refuses any
   * other name before calling it, so a misspelt option fails loudly.
   */
  Set<String> optionNames();

  /**
   * Opens a sink, on the caller's thread; the caller owns it and closes it. Opening may create what
   * the sink writes to (a directory) and check that it is usable; it does not contact PostgreSQL.
   *
   * @param options values by name, only names from {@link #optionNames()}; a required one may be
   *     missing
   * @throws PermanentException for a missing or invalid option (naming it) or a target that cannot
   *     be used (not writable, refused credentials)
   * @throws io.klio.api.error.RetryableException when the target did not answer and may later
   */
  WalSink open(Map<String, String> options) throws IOException;

  /**
   * Opens a sink by provider name, on the caller's thread.
   *
   * @throws PermanentException for an unknown name (listing the known ones), an option the provider
   *     does not take (listing those it takes), or whatever the provider's {@link #open(Map)}
   *     refuses
   * @throws io.klio.api.error.RetryableException when the provider's target did not answer
   * @throws IllegalStateException when two providers share a name
   */
  static WalSink open(String name, Map<String, String> options) throws IOException {
    WalSinkProvider p =
        Providers.find(WalSinkProvider.class, WalSinkProvider::name, name, "WAL sink named");
    for (String option : options.keySet()) {
      if (!p.optionNames().contains(option)) {
        throw new PermanentException(
            "unknown option '"
                + option
                + "' for the '"
                + name
                + "' WAL sink; it takes "
                + new TreeSet<>(p.optionNames()));
      }
    }
    return p.open(options);
  }
}
