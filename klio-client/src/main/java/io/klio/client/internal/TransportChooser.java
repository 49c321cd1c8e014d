package io.klio.client.internal;

import io.grpc.ManagedChannel;
import io.klio.api.grpc.v1.WalServiceGrpc;
import io.klio.client.wire.StatusMapping;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which transport a new WAL stream takes: the WAL socket when the sink has a dialer (synchronous
 * mode) and the server offers a socket, unless it could not be reached within the last {@link
 * #RETRY_AFTER_NANOS}; the gRPC {@code Stream} call otherwise. A network path that lets only the
 * gRPC port through still works, and says so once. Not thread-safe: the sink's thread.
 */
final class TransportChooser {

  private static final Logger LOG = LoggerFactory.getLogger(TransportChooser.class);

  /** A port that drops packets costs up to 30 s per attempt: not tried again for 10 minutes. */
  static final long RETRY_AFTER_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final WalServiceGrpc.WalServiceStub stub;
  private final WalSocket.Dialer walSocket; // null: the Stream call only
  private boolean unreachableSaid;
  private boolean noSocketSaid; // the server offers no WAL socket: said once
  private long walSocketRetryAt = System.nanoTime(); // after a failed connection: gRPC until then

  /**
   * @param walSocket opens the server's WAL socket (null: always the gRPC Stream call)
   */
  TransportChooser(ManagedChannel channel, WalSocket.Dialer walSocket) {
    // WAL messages are up to 128 KiB: let several be in flight before the stream reports
    // not-ready (the default threshold, 32 KiB, would stall after every message)
    this.stub = WalServiceGrpc.newStub(channel).withOnReadyThreshold(4 << 20);
    this.walSocket = walSocket;
  }

  /**
   * Opens the transport of a new stream whose answers go to {@code acks}.
   *
   * @param offeredPort the WAL socket port the server offered in {@code Negotiate}, 0 for none
   * @throws io.klio.api.error.PermanentException when TLS with the WAL socket fails
   */
  WalTransport open(int offeredPort, AckWindow.Acks acks) throws IOException {
    if (walSocket != null) {
      if (offeredPort == 0 && !noSocketSaid) {
        noSocketSaid = true;
        LOG.info(
            "the Klio server offers no WAL socket (its wal.socketListen is not set): synchronous"
                + " commits are acknowledged over gRPC, which costs more CPU and time per commit");
      } else if (offeredPort != 0 && System.nanoTime() - walSocketRetryAt >= 0) {
        WalSocket s = connect(offeredPort, acks);
        if (s != null) {
          return s;
        }
      }
    }
    return GrpcTransport.open(stub, acks);
  }

  /** The WAL socket, or null when its port cannot be reached. */
  private WalSocket connect(int port, AckWindow.Acks acks) throws IOException {
    WalSocket s;
    try {
      s = walSocket.connect(port, acks);
    } catch (SSLException e) {
      throw StatusMapping.toException(e);
    } catch (IOException e) {
      walSocketRetryAt = System.nanoTime() + RETRY_AFTER_NANOS;
      if (!unreachableSaid) {
        unreachableSaid = true;
        LOG.warn(
            "the Klio server offers its WAL socket at {}, which cannot be reached ({}); streaming"
                + " over gRPC instead (open that port to the server for faster synchronous"
                + " commits)",
            walSocket.address(port),
            e.toString());
      }
      return null;
    }
    LOG.info("streaming WAL over the WAL socket at {}", walSocket.address(port));
    return s;
  }
}
