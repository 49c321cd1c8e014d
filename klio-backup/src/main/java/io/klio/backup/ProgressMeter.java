package io.klio.backup;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns a count that grows (bytes read, bytes written) into a rate over a recent window and an
 * estimate of the time left: pure arithmetic over the samples it is given, for a terminal to
 * render. Times are {@link System#nanoTime()} values (any monotonic clock in nanoseconds).
 *
 * <p>Keeps at most 64 samples, spaced at least a 32nd of the window apart. Not thread-safe: one
 * renderer drives it.
 */
public final class ProgressMeter {

  private static final int MAX_SAMPLES = 64;

  private record Sample(long nanos, long done) {}

  private final long windowNanos;
  private final long spacingNanos;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private Sample first;
  private Sample last;

  /** A meter whose rate looks back {@code window} (10 s is a good terminal value). */
  public ProgressMeter(Duration window) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("the window must be positive, not " + window);
    }
    this.windowNanos = window.toNanos();
    this.spacingNanos = Math.max(1, windowNanos / 32);
  }

  /**
   * Records that {@code done} units were done at {@code nanos}.
   *
   * @throws IllegalArgumentException when time or the count goes backwards
   */
  public void update(long nanos, long done) {
    if (last != null && (nanos - last.nanos < 0 || done < last.done)) {
      throw new IllegalArgumentException(
          "progress went backwards: " + done + " at " + nanos + " after " + last);
    }
    Sample s = new Sample(nanos, done);
    if (first == null) {
      first = s;
    }
    if (samples.size() >= 2) {
      // the newest sample stays only when it is far enough from the one before it
      Sample newest = samples.pollLast();
      if (newest.nanos - samples.peekLast().nanos >= spacingNanos) {
        samples.addLast(newest);
      }
    }
    samples.addLast(s);
    last = s;
    // drop the oldest while the next one still reaches back to the window's start
    while (samples.size() > 2) {
      Sample oldest = samples.pollFirst();
      if (nanos - samples.peekFirst().nanos < windowNanos && samples.size() < MAX_SAMPLES) {
        samples.addFirst(oldest);
        break;
      }
    }
  }

  /** Units per second over the window; empty before two samples at different times. */
  public OptionalDouble rate() {
    if (samples.size() < 2) {
      return OptionalDouble.empty();
    }
    Sample from = samples.peekFirst();
    return rate(from, last);
  }

  /** Units per second since the first sample; empty before two samples at different times. */
  public OptionalDouble averageRate() {
    return first == null ? OptionalDouble.empty() : rate(first, last);
  }

  private static OptionalDouble rate(Sample from, Sample to) {
    long dt = to.nanos - from.nanos;
    if (dt <= 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((to.done - from.done) * 1e9 / dt);
  }

  /**
   * The time left to reach {@code total} at the current rate: zero once there, empty while the rate
   * is unknown or zero.
   */
  public Optional<Duration> eta(long total) {
    if (last != null && last.done >= total) {
      return Optional.of(Duration.ZERO);
    }
    OptionalDouble r = rate();
    if (r.isEmpty() || r.getAsDouble() <= 0) {
      return Optional.empty();
    }
    double seconds = (total - last.done) / r.getAsDouble();
    return Optional.of(Duration.ofNanos((long) Math.min(seconds * 1e9, Long.MAX_VALUE)));
  }

  /** The share of {@code total} done, 0 to 1 (1 when the total is 0). */
  public double fraction(long total) {
    if (total <= 0) {
      return 1;
    }
    return last == null ? 0 : Math.min(1, (double) last.done / total);
  }
}
