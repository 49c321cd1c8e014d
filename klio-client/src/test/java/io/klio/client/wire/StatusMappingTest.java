package io.klio.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** A failure's kind survives the trip server → gRPC status → client. */
class StatusMappingTest {

  private static IOException roundTrip(Throwable serverSide) {
    StatusRuntimeException s = StatusMapping.toStatus(serverSide);
    // what the client sees: the status without the server's cause
    return StatusMapping.toException(s.getStatus().asRuntimeException());
  }

  @Test
  void eachKindComesBackAsItself() {
    assertThat(roundTrip(new NotFoundException("no 000000010000000000000009")))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Klio server: NOT_FOUND: no 000000010000000000000009");
    assertThat(roundTrip(new PermanentException("another system")))
        .isInstanceOf(PermanentException.class)
        .hasMessage("Klio server: FAILED_PRECONDITION: another system");
    assertThat(roundTrip(new RetryableException("busy")))
        .isInstanceOf(RetryableException.class)
        .hasMessage("Klio server: UNAVAILABLE: busy");
    assertThat(roundTrip(new IllegalArgumentException("empty stream message")))
        .isInstanceOf(PermanentException.class)
        .hasMessage("Klio server: INVALID_ARGUMENT: empty stream message");
    assertThat(roundTrip(new IllegalStateException("a bug")))
        .isInstanceOf(RetryableException.class)
        .hasMessage("Klio server: INTERNAL: a bug");
  }

  @Test
  void theServerSideKeepsAStatusItIsGiven() {
    StatusRuntimeException denied =
        Status.PERMISSION_DENIED.withDescription("not yours").asRuntimeException();
    assertThat(StatusMapping.toStatus(denied)).isSameAs(denied);
    assertThat(StatusMapping.toException(denied)).isInstanceOf(PermanentException.class);
    assertThat(
            StatusMapping.toException(
                Status.UNAUTHENTICATED.withDescription("no CN").asRuntimeException()))
        .isInstanceOf(PermanentException.class);
    assertThat(StatusMapping.toException(Status.DEADLINE_EXCEEDED.asRuntimeException()))
        .isInstanceOf(RetryableException.class)
        .hasMessage("Klio server: DEADLINE_EXCEEDED");
  }

  @Test
  void aTlsFailureAnywhereInTheCausesIsPermanentAndSaysWhatToCheck() {
    Throwable t =
        Status.UNAVAILABLE
            .withCause(new IOException(new SSLHandshakeException("certificate_unknown")))
            .asRuntimeException();
    assertThat(StatusMapping.toException(t))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("TLS with the Klio server failed: certificate_unknown")
        .hasMessageContaining("check tls.certificate, tls.key and tls.ca");
  }

  @Test
  void aCallsFailureIsMapped() {
    try {
      StatusMapping.call(
          () -> {
            throw Status.NOT_FOUND.withDescription("gone").asRuntimeException();
          });
    } catch (IOException e) {
      assertThat(e)
          .isInstanceOf(NotFoundException.class)
          .hasMessage("Klio server: NOT_FOUND: gone");
      return;
    }
    throw new AssertionError("the call did not fail");
  }
}
