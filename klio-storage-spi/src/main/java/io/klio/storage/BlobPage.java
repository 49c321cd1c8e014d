package io.klio.storage;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing: objects in ascending key order, and where the next page starts when there
 * may be more. {@code next} is empty only when the listing is complete.
 */
public record BlobPage(List<BlobInfo> objects, Optional<BlobKey> next) {
  public BlobPage {
    objects = List.copyOf(objects);
    if (next == null) {
      throw new IllegalArgumentException("next must be Optional.empty(), not null");
    }
  }

  /**
   * Checks the {@code maxKeys} argument of {@link BlobStore#list}, for backends to share.
   *
   * @throws IllegalArgumentException when it is less than 1
   */
  public static void checkMaxKeys(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be 1 or more, not " + maxKeys);
    }
  }
}
