package io.klio.server.relay;

import io.klio.api.error.RetryableException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.ForwardingBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store (the filesystem one) as Tier 2, that can be switched to failing every request the
 * way an unreachable server does, and that counts the puts it took per key.
 */
final class FlakyStore extends ForwardingBlobStore {

  volatile boolean down;
  final ConcurrentHashMap<BlobKey, AtomicInteger> puts = new ConcurrentHashMap<>();
  final List<BlobKey> order = new CopyOnWriteArrayList<>();

  FlakyStore(BlobStore real) {
    super(real);
  }

  private void check(BlobKey key) throws RetryableException {
    if (down) {
      throw new RetryableException("Tier 2 test store is down (" + key + ")");
    }
  }

  @Override
  public BlobInfo put(BlobKey key, InputStream content) throws IOException {
    check(key);
    BlobInfo info = delegate().put(key, content);
    puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    order.add(key);
    return info;
  }

  @Override
  public InputStream get(BlobKey key) throws IOException {
    check(key);
    return delegate().get(key);
  }

  @Override
  public InputStream get(BlobKey key, long offset, long length) throws IOException {
    check(key);
    return delegate().get(key, offset, length);
  }

  @Override
  public Optional<BlobInfo> stat(BlobKey key) throws IOException {
    check(key);
    return delegate().stat(key);
  }

  @Override
  public String describe() {
    return "flaky:" + super.describe();
  }
}
