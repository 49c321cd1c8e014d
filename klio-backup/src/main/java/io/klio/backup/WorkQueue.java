package io.klio.backup;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the thread that hands out work and the workers of one backup or restore share: the bounded
 * queue of tasks, the count of tasks not yet done (so that {@code global/pg_control} waits for all
 * of them), and the first failure, which stops everyone. A queued empty {@link Optional} tells a
 * worker to finish.
 */
final class WorkQueue<T> {

  private static final long CHECK_MILLIS = 100;

  private final BlockingQueue<Optional<T>> queue;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private long outstanding;

  WorkQueue(int workers) {
    this.queue = new ArrayBlockingQueue<>(4 * workers);
  }

  /** Hands a task to the workers, waiting for room; gives up when the run failed. */
  void put(T task) throws InterruptedException {
    synchronized (this) {
      outstanding++;
    }
    Optional<T> o = Optional.of(task);
    while (!queue.offer(o, CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
      if (failed()) {
        return;
      }
    }
  }

  /** Tells {@code workers} workers that nothing more comes. */
  void end(int workers) throws InterruptedException {
    for (int i = 0; i < workers && !failed(); i++) {
      while (!queue.offer(Optional.empty(), CHECK_MILLIS, TimeUnit.MILLISECONDS) && !failed()) {
        // the workers are busy; check for a failure while waiting
      }
    }
  }

  /** The next task, empty at the end, or null when nothing is queued right now. */
  Optional<T> poll() {
    return queue.poll();
  }

  /** The next task, or empty at the end, waiting for one. */
  Optional<T> take() throws InterruptedException {
    return queue.take();
  }

  /** A task is done. */
  synchronized void done() {
    if (--outstanding == 0) {
      notifyAll();
    }
  }

  /** Waits until every task handed over so far is done. */
  synchronized void awaitIdle() throws InterruptedException {
    while (outstanding > 0 && !failed()) {
      wait(CHECK_MILLIS);
    }
  }

  void fail(Throwable t) {
    failure.compareAndSet(null, t);
  }

  boolean failed() {
    return failure.get() != null;
  }

  Throwable failure() {
    return failure.get();
  }

  /** Waits for the workers; when the backup fails meanwhile, interrupts them and waits again. */
  void join(List<Thread> workers) throws InterruptedException {
    for (Thread t : workers) {
      while (t.isAlive()) {
        t.join(CHECK_MILLIS);
        if (failed()) {
          stop(workers);
        }
      }
    }
  }

  /** Interrupts every worker (blocked in a queue, a read or the sink) and waits for them. */
  void stop(List<Thread> workers) {
    workers.forEach(Thread::interrupt);
    boolean interrupted = false;
    for (Thread t : workers) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The failure as the caller sees it. */
  IOException failureAsIoException() {
    Throwable t = failure.get();
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IOException("interrupted", t);
  }

  /** A worker count as the builders accept it: 1 to 256. */
  static int checkWorkers(int workers) {
    if (workers < 1 || workers > 256) {
      throw new IllegalArgumentException("workers must be 1 to 256, not " + workers);
    }
    return workers;
  }

  /** Starts one daemon thread per worker, named {@code prefix-<n>}. */
  static List<Thread> start(List<? extends Runnable> workers, String prefix) {
    List<Thread> threads = new java.util.ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      Thread t = new Thread(workers.get(i), prefix + "-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return threads;
  }
}
