package io.klio.api.format;

import io.klio.api.error.PermanentException;

/**
 * A repository object failed its integrity check: corrupted, truncated, or moved to another key.
 * The message names the object.
 */
public final class CorruptObjectException extends PermanentException {
  private static final long serialVersionUID = 1L;

  public CorruptObjectException(String message) {
    super(message);
  }

  public CorruptObjectException(String message, Throwable cause) {
    super(message, cause);
  }
}
