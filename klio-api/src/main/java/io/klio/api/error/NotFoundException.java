package io.klio.api.error;

/**
 * The object, segment, backup or other named thing does not exist. Not retryable: absence is an
 * answer.
 */
public non-sealed class NotFoundException extends KlioException {

  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }

  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isRetryable() {
    return false;
  }
}
