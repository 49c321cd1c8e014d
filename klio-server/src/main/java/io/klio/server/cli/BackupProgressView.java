package io.klio.server.cli;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.backup.BackupProgress;
import io.klio.backup.ProgressMeter;
import io.klio.client.BackupListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * A backup's progress on a terminal: one line on stderr, rewritten at most twice a second, with
 * bytes read of the total, bytes sent, the read rate and the time left ({@link ProgressMeter}),
 * then what the server waits for. Thread-safe (the backup's threads call it).
 */
final class BackupProgressView implements BackupListener {

  private static final long REDRAW_NANOS = 500_000_000L;

  private final PrintStream err;
  private final ProgressMeter meter = new ProgressMeter(Duration.ofSeconds(10));
  private long lastDraw;
  private int width;

  BackupProgressView(PrintStream err) {
    this.err = err;
  }

  @Override
  public synchronized void started(
      String backupId, Lsn startLsn, TimelineId timeline, boolean fromStandby) {
    line(
        "backup "
            + backupId
            + " started at "
            + startLsn
            + " on timeline "
            + timeline
            + (fromStandby ? " (standby)" : ""),
        true);
  }

  @Override
  public synchronized void progress(BackupProgress p) {
    long now = System.nanoTime();
    meter.update(now, p.bytesRead());
    boolean last = p.bytesRead() >= p.bytesTotal() && p.filesDone() >= p.filesTotal();
    if (!last && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    String rate =
        meter.rate().isPresent()
            ? BackupOutput.bytes((long) meter.rate().getAsDouble()) + "/s"
            : "-";
    String eta = meter.eta(p.bytesTotal()).map(BackupProgressView::clock).orElse("-");
    line(
        String.format(
            Locale.ROOT,
            "read %s of %s (%.0f%%), %d of %d files; sent %s; %s, ETA %s",
            BackupOutput.bytes(p.bytesRead()),
            BackupOutput.bytes(p.bytesTotal()),
            100 * meter.fraction(p.bytesTotal()),
            p.filesDone(),
            p.filesTotal(),
            BackupOutput.bytes(p.bytesSent()),
            rate,
            eta),
        false);
  }

  @Override
  public synchronized void stopped(Lsn endLsn, TimelineId timeline) {
    line("files read; the backup's WAL ends at " + endLsn + " on timeline " + timeline, true);
  }

  @Override
  public synchronized void waitingForWal(String missingSegment, Optional<Lsn> durable) {
    line(
        "waiting for WAL "
            + missingSegment
            + " to reach the server"
            + durable.map(d -> " (its archive reaches " + d + ")").orElse(""),
        false);
  }

  /** Ends the progress line (before the summary or an error). */
  synchronized void done() {
    if (width > 0) {
      err.println();
      width = 0;
    }
  }

  private void line(String text, boolean keep) {
    StringBuilder b = new StringBuilder("\r").append(text);
    for (int i = text.length(); i < width; i++) {
      b.append(' ');
    }
    err.print(b);
    if (keep) {
      err.println();
      width = 0;
    } else {
      width = text.length();
    }
    err.flush();
  }

  private static String clock(Duration d) {
    long s = d.toSeconds();
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
