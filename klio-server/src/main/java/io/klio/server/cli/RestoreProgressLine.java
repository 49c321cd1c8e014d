package io.klio.server.cli;

import io.klio.client.RestoreClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * The progress line of {@code klio restore} on a terminal: bytes written of the total, the share,
 * the rate and the time left, redrawn in place on stderr at most twice a second. Prints nothing
 * when stderr is not a terminal.
 */
final class RestoreProgressLine {

  private static final long REDRAW_NANOS = 500_000_000L;

  private final PrintStream err;
  private final boolean terminal;
  private long lastDrawn = Long.MIN_VALUE;
  private boolean drawn;

  RestoreProgressLine(PrintStream err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  synchronized void show(RestoreClient.Progress p) {
    if (!terminal) {
      return;
    }
    long now = System.nanoTime();
    if (drawn && now - lastDrawn < REDRAW_NANOS && p.bytesWritten() < p.bytesTotal()) {
      return;
    }
    lastDrawn = now;
    drawn = true;
    double share = p.bytesTotal() == 0 ? 1 : (double) p.bytesWritten() / p.bytesTotal();
    String rate =
        p.bytesPerSecond().isPresent() ? size((long) p.bytesPerSecond().getAsDouble()) + "/s" : "";
    String eta = p.eta().map(RestoreProgressLine::duration).orElse("");
    err.print(
        String.format(
            Locale.ROOT,
            "\r%s of %s (%.0f%%), %d of %d files  %s  %s\033[K",
            size(p.bytesWritten()),
            size(p.bytesTotal()),
            share * 100,
            p.filesWritten(),
            p.filesTotal(),
            rate,
            eta.isEmpty() ? "" : "ETA " + eta));
    err.flush();
  }

  /** Ends the line when one was drawn. */
  synchronized void end() {
    if (drawn) {
      err.println();
      drawn = false;
    }
  }

  /** {@code 1.5 GiB}, {@code 12.0 MiB}, {@code 512 B}. */
  static String size(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String duration(Duration d) {
    long s = d.toSeconds();
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
