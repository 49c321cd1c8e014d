package io.klio.client.wire;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.klio.api.error.KlioException;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import java.io.IOException;
import javax.net.ssl.SSLException;

/**
 * Klio's failure kinds on the wire, both ways: the server answers a failure with the gRPC status of
 * its kind ({@link #toStatus}), and the client turns a status back into the kind ({@link
 * #toException}), so that what is permanent on one side stops the other side's retries. The table
 * is docs/grpc-api.md's "Errors":
 *
 * <ul>
 *   <li>{@link NotFoundException}: {@code NOT_FOUND};
 *   <li>{@link PermanentException}: {@code FAILED_PRECONDITION}; back from {@code
 *       FAILED_PRECONDITION}, {@code PERMISSION_DENIED}, {@code UNAUTHENTICATED} and {@code
 *       INVALID_ARGUMENT};
 *   <li>a retryable {@link KlioException}: {@code UNAVAILABLE}; back from every other code;
 *   <li>{@link IllegalArgumentException} (a bad request): {@code INVALID_ARGUMENT}; anything else
 *       {@code INTERNAL}.
 * </ul>
 *
 * <p>A TLS failure anywhere in the cause chain is permanent: a certificate does not start to fit by
 * waiting. Stateless and thread-safe.
 */
public final class StatusMapping {

  private StatusMapping() {}

  /** Server side: the status a call fails with for {@code e}; a status passes through as it is. */
  public static StatusRuntimeException toStatus(Throwable e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    Status status;
    if (e instanceof NotFoundException) {
      status = Status.NOT_FOUND;
    } else if (e instanceof PermanentException) {
      status = Status.FAILED_PRECONDITION;
    } else if (e instanceof KlioException k && k.isRetryable()) {
      status = Status.UNAVAILABLE;
    } else if (e instanceof IllegalArgumentException) {
      status = Status.INVALID_ARGUMENT;
    } else {
      status = Status.INTERNAL;
    }
    return status.withDescription(e.getMessage()).withCause(e).asRuntimeException();
  }

  /**
   * Client side: the failure kind of a failed call or stream ({@code t} a {@link
   * StatusRuntimeException}, a TLS failure, or anything gRPC reported); permanent ones stop
   * send-wal's retries.
   */
  public static IOException toException(Throwable t) {
    Status s = Status.fromThrowable(t);
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException ssl) {
        return new PermanentException(
            "TLS with the Klio server failed: "
                + ssl.getMessage()
                + " (check tls.certificate, tls.key and tls.ca: the server must trust the CA of"
                + " this client certificate, and this client the CA of the server's)",
            t);
      }
    }
    String what =
        "Klio server: "
            + s.getCode()
            + (s.getDescription() == null ? "" : ": " + s.getDescription());
    return switch (s.getCode()) {
      case NOT_FOUND -> new NotFoundException(what);
      case FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED, INVALID_ARGUMENT ->
          new PermanentException(what, t);
      default -> new RetryableException(what, t);
    };
  }

  /** A blocking call to the server. */
  @FunctionalInterface
  public interface Call<T> {
    T run();
  }

  /** Client side: runs a blocking call; its failure as {@link #toException}. */
  public static <T> T call(Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (StatusRuntimeException e) {
      throw toException(e);
    }
  }
}
