package io.klio.storage;

import io.klio.api.error.PermanentException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Opens {@link BlobStore}s by URI, choosing the {@link BlobStoreProvider} by scheme. */
public final class BlobStores {

  private BlobStores() {}

  /** Opens a store with no options. */
  public static BlobStore open(String uri) throws IOException {
    return open(parse(uri), Map.of());
  }

  /**
   * Opens a store with the provider registered for the URI's scheme, found on the thread's context
   * class loader (or this class's loader).
   *
   * @throws PermanentException when no provider handles the scheme (the message lists those that
   *     do), when an option is unknown to the provider, or when the provider rejects the URI
   * @throws IllegalStateException when two providers claim one scheme
   */
  public static BlobStore open(URI uri, Map<String, String> options) throws IOException {
    if (uri.getScheme() == null) {
      throw new PermanentException(
          "storage URI '"
              + uri
              + "' has no scheme; write it as file:///path, s3://bucket/prefix …");
    }
    Map<String, BlobStoreProvider> providers = providers(loader());
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    BlobStoreProvider provider = providers.get(scheme);
    if (provider == null) {
      throw new PermanentException(
          "no storage backend for scheme '"
              + scheme
              + "' in '"
              + uri
              + "'; known schemes: "
              + String.join(", ", providers.keySet())
              + ". Put the backend's jar on the class path or fix the URI.");
    }
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(provider.optionNames());
    if (!unknown.isEmpty()) {
      throw new PermanentException(
          "unknown option(s) "
              + unknown
              + " for '"
              + scheme
              + "' storage; it understands "
              + new TreeSet<>(provider.optionNames()));
    }
    return provider.open(uri, Map.copyOf(options));
  }

  /**
   * The providers visible to {@code loader}, by scheme.
   *
   * @throws IllegalStateException when two providers claim one scheme, naming both classes
   */
  public static Map<String, BlobStoreProvider> providers(ClassLoader loader) {
    Map<String, BlobStoreProvider> byScheme = new TreeMap<>();
    for (BlobStoreProvider p : ServiceLoader.load(BlobStoreProvider.class, loader)) {
      String scheme = p.scheme().toLowerCase(Locale.ROOT);
      BlobStoreProvider earlier = byScheme.putIfAbsent(scheme, p);
      if (earlier != null) {
        throw new IllegalStateException(
            "two storage providers claim the scheme '"
                + scheme
                + "': "
                + earlier.getClass().getName()
                + " and "
                + p.getClass().getName()
                + "; remove one of their jars from the class path");
      }
    }
    return byScheme;
  }

  private static ClassLoader loader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : BlobStores.class.getClassLoader();
  }

  private static URI parse(String uri) throws PermanentException {
    try {
      return new URI(uri);
    } catch (URISyntaxException e) {
      throw new PermanentException("invalid storage URI '" + uri + "': " + e.getReason(), e);
    }
  }
}
