package io.klio.client.internal;

import io.klio.api.grpc.v1.StreamRequest;
import java.io.IOException;

/**
 * How one WAL stream's messages reach the server: the gRPC {@code Stream} call ({@link
 * GrpcTransport}) or the WAL socket ({@link WalSocket}). The server's answers go to the {@link
 * AckWindow.Acks} the transport was opened with, on a thread of the transport's.
 *
 * <p><b>Threading.</b> {@link #send} and {@link #complete} are called by one thread at a time (the
 * {@link AckWindow} makes sure); {@link #isReady} from any thread. <b>Lifecycle.</b> One stream:
 * opened by {@link TransportChooser}, ended by {@link #complete} or by a failure the acks observer
 * hears of.
 */
interface WalTransport {

  /** Whether a message may be sent now (gRPC's flow control; the WAL socket is always ready). */
  boolean isReady();

  /**
   * Whether {@link #send} may block (the WAL socket: TCP is its flow control), so that it must not
   * be called holding the window's lock, which the acknowledgements need.
   */
  boolean blocking();

  /** Sends one message; a failure of a blocking transport throws, others reach the observer. */
  void send(StreamRequest m) throws IOException;

  /** No more messages: the server acknowledges the rest and ends the stream. Never throws. */
  void complete();
}
