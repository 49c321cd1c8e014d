package io.klio.storage;

import java.io.IOException;
import java.io.InputStream;

/**
 * Optional capability of a {@link BlobStore} whose backend can create an object only if its key is
 * free, atomically (a filesystem hard link, S3 {@code If-None-Match: *}, Azure {@code
 * If-None-Match: *}). Callers test for it with {@code instanceof}; a store that cannot do it
 * truthfully does not implement this interface.
 */
public interface ConditionalPut {

  /**
   * Like {@link BlobStore#put}, but only when no object has {@code key}. Of any number of
   * concurrent calls for one free key, exactly one returns {@code true}; the others, and every call
   * on an existing key, return {@code false} and change nothing. The content is read to its end in
   * both cases.
   */
  boolean putIfAbsent(BlobKey key, InputStream content) throws IOException;
}
