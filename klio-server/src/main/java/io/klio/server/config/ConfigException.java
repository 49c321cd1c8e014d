package io.klio.server.config;

import io.klio.api.error.PermanentException;

/** A configuration file that cannot be used; the message names the file and the field. */
public final class ConfigException extends PermanentException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
