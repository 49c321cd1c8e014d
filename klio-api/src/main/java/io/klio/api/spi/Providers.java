package io.klio.api.spi;

import io.klio.api.error.PermanentException;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Finds the implementations of an extension point with {@link ServiceLoader}, keyed by the name (or
 * scheme, or id) each one declares: the one lookup every Klio SPI uses ({@code BlobStoreProvider}
 * by scheme, {@code CodecProvider} by name and id, {@code ChunkerProvider}, {@code KekProvider},
 * {@code WalSinkProvider} by name).
 *
 * <p>Providers are looked up on the thread's context class loader, or, when it has none, on the SPI
 * interface's own class loader; a provider is listed in {@code META-INF/services/<interface name>}
 * of its jar. Two providers claiming one key is a deployment error and fails every lookup ({@link
 * IllegalStateException} naming both classes), rather than letting the class path order decide
 * which one runs. Stateless and thread-safe; each call reads the class path again, so callers keep
 * what they found when they look up often.
 */
public final class Providers {

  private Providers() {}

  /**
   * All providers of {@code spi}, by key.
   *
   * @param key the key a provider declares, such as {@code BlobStoreProvider::scheme}
   * @throws IllegalStateException when two providers declare the same key
   */
  public static <P, K extends Comparable<K>> Map<K, P> all(Class<P> spi, Function<P, K> key) {
    Map<K, P> found = new TreeMap<>();
    for (P p : ServiceLoader.load(spi, loaderFor(spi))) {
      K k = key.apply(p);
      P earlier = found.putIfAbsent(k, p);
      if (earlier != null) {
        throw new IllegalStateException(
            "two "
                + spi.getSimpleName()
                + " implementations claim '"
                + k
                + "': "
                + earlier.getClass().getName()
                + " and "
                + p.getClass().getName()
                + "; remove one of their jars from the class path");
      }
    }
    return Collections.unmodifiableMap(found);
  }

  /**
   * The provider of {@code spi} declaring {@code wanted}.
   *
   * @param what what the key names in messages, such as {@code "storage backend for scheme"}
   * @throws PermanentException when none declares it; the message lists the keys that exist
   * @throws IllegalStateException when two providers declare the same key
   */
  public static <P, K extends Comparable<K>> P find(
      Class<P> spi, Function<P, K> key, K wanted, String what) throws PermanentException {
    Map<K, P> all = all(spi, key);
    P p = all.get(wanted);
    if (p == null) {
      throw unknown(spi, what, wanted, all.keySet());
    }
    return p;
  }

  /**
   * The failure {@link #find} reports, for a caller that keeps what {@link #all} found and looks
   * {@code wanted} up in it: "no {@code what} '{@code wanted}'; known: …", and where extensions
   * come from.
   *
   * @param known the keys that exist, listed in the message in their iteration order
   */
  public static PermanentException unknown(
      Class<?> spi, String what, Object wanted, Collection<?> known) {
    return new PermanentException(
        "no "
            + what
            + " '"
            + wanted
            + "'; known: "
            + (known.isEmpty()
                ? "none"
                : String.join(", ", known.stream().map(String::valueOf).toList()))
            + " (an extension is found through META-INF/services/"
            + spi.getName()
            + " in a jar on the class path)");
  }

  private static ClassLoader loaderFor(Class<?> spi) {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : spi.getClassLoader();
  }
}
