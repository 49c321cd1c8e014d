package io.klio.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * A {@link BlobStore} that passes every call to another: the base of decorators (retries, metrics,
 * rate limits, read-only views), which override only what they change. Thread-safe when the
 * delegate is; closing it closes the delegate.
 */
public abstract class ForwardingBlobStore implements BlobStore {

  private final BlobStore delegate;

  protected ForwardingBlobStore(BlobStore delegate) {
    this.delegate = delegate;
  }

  /** The store this one passes calls to. */
  protected final BlobStore delegate() {
    return delegate;
  }

  @Override
  public BlobInfo put(BlobKey key, InputStream content) throws IOException {
    return delegate.put(key, content);
  }

  @Override
  public InputStream get(BlobKey key) throws IOException {
    return delegate.get(key);
  }

  @Override
  public InputStream get(BlobKey key, long offset, long length) throws IOException {
    return delegate.get(key, offset, length);
  }

  @Override
  public Optional<BlobInfo> stat(BlobKey key) throws IOException {
    return delegate.stat(key);
  }

  @Override
  public BlobPage list(String prefix, Optional<BlobKey> startAfter, int maxKeys)
      throws IOException {
    return delegate.list(prefix, startAfter, maxKeys);
  }

  @Override
  public void delete(BlobKey key) throws IOException {
    delegate.delete(key);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
