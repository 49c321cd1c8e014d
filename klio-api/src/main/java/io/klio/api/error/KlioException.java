package io.klio.api.error;

import java.io.IOException;

/**
 * The root of every failure Klio reports. Each failure is classified once, where it is thrown, into
 * exactly one of three kinds, so callers decide what to do without parsing messages:
 *
 * <ul>
 *   <li>{@link NotFoundException}: the thing asked for does not exist (an object key, a WAL
 *       segment, a backup). Retrying does not help; the caller may treat it as an answer.
 *   <li>{@link RetryableException}: a transient failure (a timeout, a dropped connection, a
 *       throttled request). The same call may succeed later.
 *   <li>{@link PermanentException}: retrying will not help (bad credentials, a corrupted object, an
 *       unknown format version, a mismatched system identifier). A person has to act.
 * </ul>
 *
 * <p>It extends {@link IOException} because nearly every failure happens on the way to or from
 * storage or the network, and so that a failure inside a stream's {@code read} keeps its kind.
 * Messages say what failed, on which object, LSN, file or field, and what to do next.
 */
public abstract sealed class KlioException extends IOException
    permits NotFoundException, RetryableException, PermanentException {

  private static final long serialVersionUID = 1L;

  protected KlioException(String message) {
    super(message);
  }

  protected KlioException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether the same operation may succeed if tried again later. */
  public abstract boolean isRetryable();
}
