package io.klio.server.cli;

import java.util.concurrent.CountDownLatch;

/** How a long-running command (a server, the plugin) ends: with the JVM, on SIGTERM or SIGINT. */
final class UntilSignal {

  private UntilSignal() {}

  /** Waits until what the command serves has stopped. */
  @FunctionalInterface
  interface Termination {
    void await() throws InterruptedException;
  }

  /**
   * Registers a shutdown hook that closes {@code service} (a failure to close is printed as {@code
   * "<command>: error while stopping: …"}), then waits until {@code terminated} returns and the
   * close has finished. The JVM exits after its hooks with 128 + the signal's number.
   */
  static void await(String command, AutoCloseable service, Termination terminated)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    service.close();
                  } catch (Exception e) {
                    System.err.println(command + ": error while stopping: " + e.getMessage());
                  } finally {
                    stopped.countDown();
                  }
                },
                command.replace(' ', '-') + "-shutdown"));
    terminated.await();
    stopped.await();
  }
}
