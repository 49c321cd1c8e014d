package io.klio.storage;

import io.klio.api.error.NotFoundException;

/** The object does not exist in the store. */
public final class BlobNotFoundException extends NotFoundException {

  private static final long serialVersionUID = 1L;

  private final String key;
  private final String store;

  public BlobNotFoundException(BlobKey key, String store) {
    super("object '" + key + "' does not exist in " + store);
    this.key = key.value();
    this.store = store;
  }

  /** The missing object's key. */
  public BlobKey key() {
    return BlobKey.of(key);
  }

  /** A description of the store (its URI), for messages. */
  public String store() {
    return store;
  }
}
