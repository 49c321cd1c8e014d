package io.klio.api.error;

/**
 * A transient failure: the same operation may succeed later (timeouts, dropped connections,
 * throttling).
 */
public non-sealed class RetryableException extends KlioException {

  private static final long serialVersionUID = 1L;

  public RetryableException(String message) {
    super(message);
  }

  public RetryableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isRetryable() {
    return true;
  }
}
