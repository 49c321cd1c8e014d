package io.klio.server.relay;

import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.ConditionalPut;
import io.klio.storage.ForwardingBlobStore;
import java.io.IOException;
import java.io.InputStream;

/**
 * Tier 1 as the rest of the server sees it when Tier 2 is on: every put of a repository object is
 * recorded in the relay's outbox before it reaches Tier 1, and a delete of an object whose copy to
 * Tier 2 is still pending is deferred until the relay has copied it (the pin): the object stays on
 * Tier 1, listings still show it, and the relay deletes it right after the copy. Reads pass
 * through. Thread-safe like the store it wraps.
 */
public final class RelayingStore extends ForwardingBlobStore implements ConditionalPut {

  private final BlobStore tier1;
  private final ConditionalPut tier1Conditional;
  private final Outbox outbox;
  private final Runnable wake;

  /** {@code tier1} is the filesystem store, which offers conditional puts. */
  RelayingStore(BlobStore tier1, Outbox outbox, Runnable wake) {
    super(tier1);
    if (!(tier1 instanceof ConditionalPut cp)) {
      throw new IllegalArgumentException(tier1.describe() + " does not offer conditional puts");
    }
    this.tier1 = tier1;
    this.tier1Conditional = cp;
    this.outbox = outbox;
    this.wake = wake;
  }

  @Override
  public BlobInfo put(BlobKey key, InputStream content) throws IOException {
    if (!RelayKeys.relayed(key)) {
      return tier1.put(key, content);
    }
    Outbox.Entry e = outbox.recordPut(key);
    long size = -1;
    try {
      BlobInfo info = tier1.put(key, content);
      size = info.size();
      return info;
    } finally {
      outbox.written(e, size);
      wake.run();
    }
  }

  @Override
  public boolean putIfAbsent(BlobKey key, InputStream content) throws IOException {
    if (!RelayKeys.relayed(key)) {
      return tier1Conditional.putIfAbsent(key, content);
    }
    Outbox.Entry e = outbox.recordPut(key);
    try {
      return tier1Conditional.putIfAbsent(key, content);
    } finally {
      outbox.written(e, -1); // the relay reads the size (of whichever object won) from Tier 1
      wake.run();
    }
  }

  @Override
  public void delete(BlobKey key) throws IOException {
    if (RelayKeys.relayed(key) && outbox.recordDeleteIfPinned(key)) {
      wake.run();
      return;
    }
    tier1.delete(key);
  }
}
