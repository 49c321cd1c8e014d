package io.klio.storage;

import io.klio.api.error.KlioException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * A flat store of immutable objects addressed by {@link BlobKey}: the one abstraction under both
 * storage tiers. Klio's repository format (see {@code docs/format.md}) is defined over it.
 *
 * <p><b>Threading and lifecycle.</b> Implementations are thread-safe: any number of threads may
 * call any method at the same time. A store is opened by {@link BlobStores#open} (or its provider)
 * and must be {@linkplain #close() closed} when no longer needed; the streams it returned must be
 * closed by their callers, before or after the store.
 *
 * <p><b>Errors.</b> Every method reports failures as a {@link KlioException}: {@link
 * BlobNotFoundException} for a missing object where that is an error, {@link
 * io.klio.api.error.RetryableException} for transient failures (the caller may try again; a store
 * never retries on top of a client that already retries), {@link
 * io.klio.api.error.PermanentException} for the rest. Messages name the key and the store.
 *
 * <p><b>Keys and "directories".</b> Keys are flat strings; {@code /} has no meaning to the contract
 * except in listings by prefix. A key must not equal another key followed by {@code /} and more
 * ({@code a/b} and {@code a/b/c} at once): object stores allow it, filesystems do not, and Klio's
 * layout never does it; a backend may reject such a put with a {@link
 * io.klio.api.error.PermanentException}.
 */
public interface BlobStore extends Closeable {

  /**
   * Stores the bytes of {@code content}, read to its end, under {@code key}.
   *
   * <ul>
   *   <li><b>Atomic:</b> readers see either the whole previous object (or none) or the whole new
   *       one, never a part. If the put fails, the previous object (or its absence) is unchanged.
   *   <li><b>Overwrite:</b> replaces an existing object. With concurrent puts to one key, one of
   *       them wins whole; which one is not specified.
   *   <li><b>Durable:</b> when this method returns, the object survives a crash of the process and
   *       of the machine (the backend's own durability guarantee).
   *   <li><b>Streaming:</b> memory use does not grow with the object's size.
   * </ul>
   *
   * <p>The stream is not closed; it belongs to the caller.
   *
   * @return the stored object's size and time
   */
  BlobInfo put(BlobKey key, InputStream content) throws IOException;

  /**
   * Opens the whole object for reading.
   *
   * @throws BlobNotFoundException when no object has this key
   */
  InputStream get(BlobKey key) throws IOException;

  /**
   * Opens part of an object: the bytes from {@code offset} on, at most {@code length} of them
   * (fewer when the object ends first). {@code offset} equal to the size gives an empty stream.
   *
   * @throws BlobNotFoundException when no object has this key
   * @throws IllegalArgumentException when offset or length is negative
   * @throws io.klio.api.error.PermanentException when {@code offset} is beyond the object's end
   */
  InputStream get(BlobKey key, long offset, long length) throws IOException;

  /** The object's size and time, or empty when no object has this key. Never throws not-found. */
  Optional<BlobInfo> stat(BlobKey key) throws IOException;

  /**
   * Lists objects whose keys start with {@code prefix} (see {@link BlobKey#checkPrefix}), in
   * ascending lexicographic order of their keys, starting strictly after {@code startAfter} when
   * given. Returns at most {@code maxKeys} objects, possibly fewer even when more exist (a backend
   * may cap pages); {@link BlobPage#next()} tells where to continue, and is empty only when there
   * is nothing more. A listing is not a snapshot: objects put or deleted while a listing is paged
   * may or may not appear, but an object present for the whole listing appears exactly once.
   *
   * @param maxKeys 1 or more
   */
  BlobPage list(String prefix, Optional<BlobKey> startAfter, int maxKeys) throws IOException;

  /**
   * Deletes the object. Idempotent: deleting a missing key succeeds and does nothing. When it
   * returns, the deletion is durable.
   */
  void delete(BlobKey key) throws IOException;

  /** A short description for messages and logs, usually the store's URI. Never holds secrets. */
  String describe();

  /** Releases the store's resources. Idempotent. */
  @Override
  void close() throws IOException;

  /** Receives listed objects one at a time. */
  @FunctionalInterface
  interface BlobVisitor {
    void visit(BlobInfo object) throws IOException;
  }

  /**
   * Visits every object under {@code prefix} in key order, paging with {@link #list} as it goes.
   */
  default void forEach(String prefix, BlobVisitor visitor) throws IOException {
    Optional<BlobKey> after = Optional.empty();
    do {
      BlobPage page = list(prefix, after, 1000);
      for (BlobInfo info : page.objects()) {
        visitor.visit(info);
      }
      after = page.next();
    } while (after.isPresent());
  }
}
