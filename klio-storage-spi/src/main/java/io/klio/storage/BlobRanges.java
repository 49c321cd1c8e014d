package io.klio.storage;

import io.klio.api.error.PermanentException;

/**
 * The argument rules of {@link BlobStore#get(BlobKey, long, long)}, for backends to share, so that
 * every store rejects a bad range the same way and with the same words.
 */
public final class BlobRanges {

  private BlobRanges() {}

  /**
   * Checks a range's arguments before anything is read.
   *
   * @throws IllegalArgumentException naming the key when {@code offset} or {@code length} is
   *     negative
   */
  public static void checkArguments(BlobKey key, long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "negative range (offset " + offset + ", length " + length + ") for '" + key + "'");
    }
  }

  /**
   * Checks a range's start against the object's size: an offset equal to the size is allowed (an
   * empty read), one beyond it is not.
   *
   * @param store the store's {@link BlobStore#describe()}, for the message
   * @throws PermanentException naming the key, its size and the store when {@code offset} is beyond
   *     the end of the object
   */
  public static void checkOffset(BlobKey key, long offset, long size, String store)
      throws PermanentException {
    if (offset > size) {
      throw new PermanentException(
          "range starts at "
              + offset
              + " beyond the end of '"
              + key
              + "' ("
              + size
              + " bytes) in "
              + store);
    }
  }
}
