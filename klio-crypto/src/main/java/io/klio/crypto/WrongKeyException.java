package io.klio.crypto;

import io.klio.api.error.PermanentException;

/** A key ring or object could not be opened with the key given: the wrong key, or tampering. */
public final class WrongKeyException extends PermanentException {
  private static final long serialVersionUID = 1L;

  public WrongKeyException(String message) {
    super(message);
  }
}
