package io.klio.operator;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small work queue of keys: a key added several times before it is worked on is worked on once;
 * one key is never worked on by two threads at once (there is one worker); a failed key is retried
 * after a delay that doubles from 1 s to 5 min, and the delay resets once it succeeds. Thread-safe.
 */
final class WorkQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration LAST_RETRY = Duration.ofMinutes(5);

  private final Consumer<String> work;
  private final ScheduledExecutorService worker;
  private final Set<String> pending = new LinkedHashSet<>();
  private final Map<String, Duration> backoff = new HashMap<>();

  WorkQueue(Consumer<String> work) {
    this.work = work;
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "klio-operator-reconcile");
              t.setDaemon(true);
              return t;
            });
  }

  /** Queues {@code key} unless it is queued already. */
  void add(String key) {
    synchronized (pending) {
      if (!pending.add(key)) {
        return;
      }
    }
    worker.execute(() -> run(key));
  }

  private void run(String key) {
    synchronized (pending) {
      pending.remove(key);
    }
    try {
      work.accept(key);
      backoff.remove(key);
    } catch (RuntimeException e) {
      Duration delay = backoff.getOrDefault(key, FIRST_RETRY);
      backoff.put(
          key,
          delay.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : delay.multipliedBy(2));
      LOG.warn("reconciling {} failed, retrying in {}: {}", key, delay, e.toString());
      worker.schedule(() -> add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
