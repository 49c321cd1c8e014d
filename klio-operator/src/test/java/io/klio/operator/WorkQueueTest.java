package io.klio.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

  @Test
  void retriesAFailedKeyAfterADelay() throws InterruptedException {
    List<Long> attempts = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    try (WorkQueue queue =
        new WorkQueue(
            key -> {
              attempts.add(System.nanoTime());
              if (attempts.size() == 1) {
                throw new IllegalStateException("the API server answered 409");
              }
              done.countDown();
            })) {
      queue.add("Server/ns/klio");
      assertThat(done.await(10, TimeUnit.SECONDS)).as("retried").isTrue();
    }
    assertThat(attempts).hasSize(2);
    assertThat(TimeUnit.NANOSECONDS.toMillis(attempts.get(1) - attempts.get(0)))
        .as("the first retry waits a second")
        .isGreaterThanOrEqualTo(900);
  }

  @Test
  void runsOneKeyOnceWhenAddedWhileQueued() throws InterruptedException {
    CountDownLatch blocker = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(3);
    List<String> runs = new CopyOnWriteArrayList<>();
    try (WorkQueue queue =
        new WorkQueue(
            key -> {
              if (key.equals("first")) {
                awaitQuietly(blocker);
              }
              runs.add(key);
              finished.countDown();
            })) {
      queue.add("first"); // holds the single worker
      queue.add("second");
      queue.add("second"); // queued already: not again
      queue.add("third");
      blocker.countDown();
      assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runs).containsExactly("first", "second", "third");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
