package io.klio.storage;

import io.klio.api.error.PermanentException;
import io.klio.api.spi.Providers;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Opens {@link BlobStore}s by URI, choosing the {@link BlobStoreProvider} by scheme. */
public final class BlobStores {

  private BlobStores() {}

  /** Opens a store with no options. */
  public static BlobStore open(String uri) throws IOException {
    return open(parse(uri), Map.of());
  }

  /**
   * Opens a store with the provider registered for the URI's scheme, found through {@link
   * Providers} (the thread's context class loader, or this class's).
   *
   * @throws PermanentException when no provider handles the scheme (the message names the URI and
   *     lists the schemes that exist), when an option is unknown to the provider, or when the
   *     provider rejects the URI
   * @throws IllegalStateException when two providers claim one scheme
   */
  public static BlobStore open(URI uri, Map<String, String> options) throws IOException {
    if (uri.getScheme() == null) {
      throw new PermanentException(
          "storage URI '"
              + uri
              + "' has no scheme; write it as file:///path, s3://bucket/prefix …");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    BlobStoreProvider provider;
    try {
      provider =
          Providers.find(
              BlobStoreProvider.class, BlobStores::schemeOf, scheme, "storage backend for scheme");
    } catch (PermanentException e) {
      throw new PermanentException("storage URI '" + uri + "': " + e.getMessage(), e);
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
   * The providers on the class path ({@link Providers}' class-loader rule), by lower-case scheme.
   *
   * @throws IllegalStateException when two providers claim one scheme, naming both classes
   */
  public static Map<String, BlobStoreProvider> providers() {
    return Providers.all(BlobStoreProvider.class, BlobStores::schemeOf);
  }

  private static String schemeOf(BlobStoreProvider p) {
    return p.scheme().toLowerCase(Locale.ROOT);
  }

  private static URI parse(String uri) throws PermanentException {
    try {
      return new URI(uri);
    } catch (URISyntaxException e) {
      throw new PermanentException("invalid storage URI '" + uri + "': " + e.getReason(), e);
    }
  }
}
