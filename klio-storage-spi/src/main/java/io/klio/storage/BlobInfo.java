package io.klio.storage;

import java.time.Instant;

/**
 * What a store knows about one object: its key, its size in bytes and when it was last written (the
 * backend's clock, to the precision it keeps).
 */
public record BlobInfo(BlobKey key, long size, Instant lastModified) {
  public BlobInfo {
    if (key == null || lastModified == null) {
      throw new IllegalArgumentException("key and lastModified are required");
    }
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + key);
    }
  }
}
