package io.klio.server.cnpg;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.klio.testkit.process.ChildJvm;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the plugin's integration tests share: status checks and polling. */
final class PluginTesting {

  private PluginTesting() {}

  static void assertCode(Throwable e, Status.Code code) {
    assertThat(e).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) e).getStatus().getCode())
        .as(e.getMessage())
        .isEqualTo(code);
  }

  /** Polls {@code done} every 50 ms for up to 60 s; fails early when {@code process} exited. */
  static void await(String what, BooleanSupplier done, ChildJvm process)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.getAsBoolean()) {
      assertThat(process == null || process.process().isAlive())
          .as("the plugin process, waiting for " + what)
          .isTrue();
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
