package io.klio.server.cnpg;

import io.grpc.Status;
import io.grpc.StatusException;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC status of a failed Backup or Restore hook. CloudNativePG shows the description (in the
 * {@code Backup}'s {@code status.error}, in the recovery's log), so it says what failed and what to
 * do; the code follows Klio's classification of the failure, made where it was thrown.
 */
final class HookErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HookErrors.class);

  private HookErrors() {}

  /**
   * The status of {@code e}, described as {@code what: message; advice}; logged. NOT_FOUND,
   * UNAVAILABLE (retrying may help) and FAILED_PRECONDITION (it will not) follow Klio's
   * classification; anything else is INTERNAL.
   */
  static StatusException of(String what, IOException e, String advice) {
    Status status;
    String text = what + ": " + e.getMessage() + "; " + advice;
    if (e instanceof NotFoundException) {
      status = Status.NOT_FOUND;
    } else if (e instanceof RetryableException) {
      status = Status.UNAVAILABLE;
      text = what + ": " + e.getMessage() + "; retry once the Klio server answers; " + advice;
    } else if (e instanceof PermanentException) {
      status = Status.FAILED_PRECONDITION;
    } else {
      status = Status.INTERNAL;
      text = what + ": " + e + "; " + advice;
    }
    LOG.warn("{}", text);
    return status.withDescription(text).withCause(e).asException();
  }

  /** CANCELLED: the call was cancelled or the plugin is stopping. */
  static StatusException interrupted(String what) {
    String text = what + ": interrupted (the call was cancelled or the plugin is stopping)";
    LOG.warn("{}", text);
    return Status.CANCELLED.withDescription(text).asException();
  }

  /** The instance's data directory, or INVALID_ARGUMENT saying how to name it. */
  static Path dataDirectory(Optional<Path> pgdata, String what) throws StatusException {
    if (pgdata.isEmpty()) {
      throw invalid(
          what
              + ": the plugin does not know the data directory: set backup.pgdata in its"
              + " configuration, or PGDATA in its environment");
    }
    return pgdata.get();
  }

  /** INVALID_ARGUMENT, logged. */
  static StatusException invalid(String text) {
    LOG.warn("{}", text);
    return Status.INVALID_ARGUMENT.withDescription(text).asException();
  }
}
