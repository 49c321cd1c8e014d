package io.klio.server.cnpg;

import io.grpc.Context;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;

/**
 * Runs a long hook (a backup, a restore) on the gRPC thread that received it, interrupting that
 * thread when the call is cancelled: when CloudNativePG's instance manager goes away (a restart
 * closes its connection) or the plugin stops, the backup or restore is aborted instead of outliving
 * its caller. Klio's backup and restore abort cleanly on interruption.
 */
final class HookCalls {

  /** A hook's work: its answer, or the status it fails with. */
  interface Work<T> {
    T run() throws StatusException;
  }

  private HookCalls() {}

  /** Answers a unary call with {@code value}. */
  static <T> void reply(StreamObserver<T> response, T value) {
    response.onNext(value);
    response.onCompleted();
  }

  /** Answers a unary call with what {@code work} returns, interrupting it on cancellation. */
  static <T> void answer(StreamObserver<T> response, Work<T> work) {
    Thread self = Thread.currentThread();
    Context.CancellationListener interrupt = c -> self.interrupt();
    Context context = Context.current();
    context.addListener(interrupt, Runnable::run);
    T result;
    try {
      result = work.run();
    } catch (StatusException e) {
      response.onError(e);
      return;
    } finally {
      context.removeListener(interrupt);
      Thread.interrupted(); // a cancellation after the work ended must not reach the next call
    }
    reply(response, result);
  }
}
