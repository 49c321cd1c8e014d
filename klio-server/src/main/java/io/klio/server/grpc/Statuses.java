package io.klio.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.klio.api.error.KlioException;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;

/** Klio's failure kinds as gRPC statuses, and back. */
public final class Statuses {

  private Statuses() {}

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
}
