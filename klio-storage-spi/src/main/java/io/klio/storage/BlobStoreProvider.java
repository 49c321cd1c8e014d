package io.klio.storage;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link BlobStore}s for one URI scheme. Found with {@link java.util.ServiceLoader}: an
 * implementation is listed in {@code META-INF/services/io.klio.storage.BlobStoreProvider} and needs
 * a public no-argument constructor. Two providers claiming one scheme is an error at discovery.
 *
 * <p>The provider is created once per class loader and must be thread-safe. Expensive shared
 * resources (HTTP clients, thread pools) belong to the stores it opens or are built lazily once;
 * creating the provider must be cheap and must not touch the network.
 */
public interface BlobStoreProvider {

  /** The URI scheme, lower case, such as {@code file}, {@code s3}, {@code azure}. */
  String scheme();

  /**
   * The names of the options {@link #open} understands. {@link BlobStores#open} rejects any other
   * name before calling {@link #open}, so a misspelt option fails loudly.
   */
  Set<String> optionNames();

  /**
   * Opens a store on {@code uri} (whose scheme is {@link #scheme()}). Invalid URIs and option
   * values give a {@link io.klio.api.error.PermanentException} that names the URI or option.
   */
  BlobStore open(URI uri, Map<String, String> options) throws IOException;
}
