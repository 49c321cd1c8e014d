package io.klio.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.api.grpc.v1.WalServiceGrpc;

/**
 * The WAL service's {@code Stream} call as a {@link WalTransport}: messages are handed to gRPC
 * (which never blocks the caller, and says when its buffer is full), the server's answers reach the
 * acks observer on the channel's event loop (a direct executor: the observer only records them).
 */
final class GrpcTransport implements WalTransport {

  private final ClientCallStreamObserver<StreamRequest> requests;

  private GrpcTransport(ClientCallStreamObserver<StreamRequest> requests) {
    this.requests = requests;
  }

  /** Starts a {@code Stream} call whose answers go to {@code acks}. */
  static GrpcTransport open(WalServiceGrpc.WalServiceStub stub, AckWindow.Acks acks) {
    GrpcTransport[] opened = new GrpcTransport[1];
    stub.stream(
        new ClientResponseObserver<StreamRequest, StreamResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<StreamRequest> r) {
            // called by stream() itself, before it returns
            opened[0] = new GrpcTransport(r);
            r.setOnReadyHandler(acks::wake);
          }

          @Override
          public void onNext(StreamResponse ack) {
            acks.onNext(ack);
          }

          @Override
          public void onError(Throwable t) {
            acks.onError(t);
          }

          @Override
          public void onCompleted() {
            acks.onCompleted();
          }
        });
    return opened[0];
  }

  @Override
  public boolean isReady() {
    return requests.isReady();
  }

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public void send(StreamRequest m) {
    requests.onNext(m);
  }

  @Override
  public void complete() {
    try {
      requests.onCompleted();
    } catch (RuntimeException ignored) {
      // already closed
    }
  }
}
