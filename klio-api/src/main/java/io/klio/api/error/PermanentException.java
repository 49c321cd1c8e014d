package io.klio.api.error;

/**
 * A failure that retrying cannot fix: invalid input or configuration, corrupted data, refused
 * credentials, an unknown format version. The message says what a person should do.
 */
public non-sealed class PermanentException extends KlioException {

  private static final long serialVersionUID = 1L;

  public PermanentException(String message) {
    super(message);
  }

  public PermanentException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isRetryable() {
    return false;
  }
}
