package io.klio.walstream.protocol;

import io.klio.api.error.PermanentException;

/**
 * The peer sent something the protocol does not allow: an unknown message tag, a length out of
 * range, a truncated field. The connection cannot continue and must be closed.
 */
public final class ProtocolException extends PermanentException {

  private static final long serialVersionUID = 1L;

  public ProtocolException(String message) {
    super("PostgreSQL protocol violation: " + message);
  }
}
