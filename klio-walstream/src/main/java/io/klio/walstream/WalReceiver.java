package io.klio.walstream;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName.Segment;
import io.klio.api.WalSegmentSize;
import io.klio.api.error.PermanentException;
import io.klio.walstream.ReplicationResults.IdentifySystem;
import io.klio.walstream.ReplicationResults.NextTimeline;
import io.klio.walstream.ReplicationResults.SlotState;
import io.klio.walstream.protocol.ReplicationMessage.XLogData;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams WAL from a PostgreSQL primary (or standby) into a {@link WalSink}, like pg_receivewal.
 *
 * <p>It starts where pg_receivewal would: after the newest complete segment in the sink, at the
 * start of its newest {@code .partial}, else at the slot's restart position, else at the server's
 * current position (always at a segment boundary). It follows timeline switches, storing each new
 * timeline's history file. It reports write = received and flush = {@link WalSink#durableLsn()}, so
 * the slot never passes WAL that is not stored; in synchronous mode the sink is asked to flush
 * after every batch ({@link WalSink#requestFlush()}) and each flush is reported the moment it is
 * done.
 *
 * <p><b>Threading and lifecycle.</b> {@link #run()} streams on the calling thread (plus one
 * feedback thread it owns) until the end position is reached, {@link #stop()} is called from
 * another thread, or a failure ends it. One receiver runs at a time; a new {@code run()} after a
 * failure reconnects and resumes from the sink. The sink stays open; the caller closes it.
 */
public final class WalReceiver {

  private static final Logger LOG = LoggerFactory.getLogger(WalReceiver.class);
  static final int MIN_MAJOR = 15;

  /** Why {@link #run()} returned. */
  public enum Outcome {
    END_POSITION_REACHED,
    STOPPED
  }

  /**
   * Told when a replication stream starts and ends, for a caller that reports readiness. Called on
   * the thread that runs {@link #run()}; must return quickly.
   */
  public interface StreamListener {
    /**
     * PostgreSQL accepted {@code START_REPLICATION} (after the sink was opened): WAL of {@code
     * timeline} from {@code start} is being received.
     */
    void streaming(TimelineId timeline, Lsn start);

    /** That stream ended: a timeline switch (another starts), {@link #stop()}, or a failure. */
    void ended();
  }

  private static final StreamListener NO_LISTENER =
      new StreamListener() {
        @Override
        public void streaming(TimelineId timeline, Lsn start) {}

        @Override
        public void ended() {}
      };

  private final ConnectionSettings settings;
  private final WalSink sink;
  private final WalReceiverOptions options;
  private final StreamListener listener;
  private volatile boolean stopRequested;
  private volatile ReplicationStream currentStream;
  private volatile Lsn received = Lsn.INVALID;

  public WalReceiver(ConnectionSettings settings, WalSink sink, WalReceiverOptions options) {
    this(settings, sink, options, NO_LISTENER);
  }

  /** A receiver whose replication streams {@code listener} hears of. */
  public WalReceiver(
      ConnectionSettings settings,
      WalSink sink,
      WalReceiverOptions options,
      StreamListener listener) {
    this.settings = settings;
    this.sink = sink;
    this.options = options;
    this.listener = listener;
  }

  /** Connects and streams until the end position, {@link #stop()}, or a failure. */
  public Outcome run() throws IOException {
    try (PgConnection conn = PgConnection.connect(settings, true)) {
      int major = conn.serverMajorVersion();
      if (major < MIN_MAJOR) {
        throw new PermanentException(
            "PostgreSQL "
                + conn.parameters().get("server_version")
                + " is not supported: Klio needs"
                + " PostgreSQL 15 or newer (it uses READ_REPLICATION_SLOT)");
      }
      String walLevel = conn.show("wal_level");
      if (walLevel.equals("minimal")) {
        throw new PermanentException(
            "the server runs with wal_level=minimal, which cannot be archived or streamed;"
                + " set wal_level=replica and restart PostgreSQL");
      }
      WalSegmentSize size = WalSegmentSize.ofBytes(parseSize(conn.show("wal_segment_size")));
      IdentifySystem id = conn.identifySystem();
      checkSystem(id.systemId());
      Optional<SlotState> slot = prepareSlot(conn);
      // synchronous mode reports each advance at once from the thread that saw it (a commit
      // waits for it); otherwise the feedback thread is woken to report it
      sink.open(
          new WalSink.StreamInfo(id.systemId(), size, major),
          options.synchronous() ? lsn -> reportNow() : lsn -> wake());
      TimelineId timeline;
      Lsn start;
      Optional<WalSink.StoredSegment> newest = sink.newestSegment(size);
      if (newest.isPresent()) {
        Segment seg = newest.get().segment();
        timeline = seg.timeline();
        start = newest.get().partial() ? seg.startLsn() : seg.endLsn();
      } else if (slot.isPresent() && slot.get().restartLsn().isPresent()) {
        start = slot.get().restartLsn().get().segmentStart(size);
        timeline = slot.get().restartTimeline().orElse(id.timeline());
      } else {
        start = id.xlogPosition().segmentStart(size);
        timeline = id.timeline();
      }
      while (true) {
        if (options.endPosition().isPresent() && !start.isBefore(options.endPosition().get())) {
          sink.flush();
          return Outcome.END_POSITION_REACHED;
        }
        if (timeline.value() > 1 && !sink.hasHistory(timeline)) {
          sink.writeHistory(timeline, conn.timelineHistory(timeline).content());
        }
        LOG.info("starting log streaming at {} (timeline {})", start, timeline);
        Optional<NextTimeline> next = stream(conn, timeline, start, size);
        if (next.isEmpty()) {
          sink.flush();
          return options.endPosition().isPresent()
                  && !received.isBefore(options.endPosition().get())
              ? Outcome.END_POSITION_REACHED
              : Outcome.STOPPED;
        }
        sink.endOfTimeline(timeline, next.get().start());
        LOG.info("switched to timeline {} at {}", next.get().timeline(), next.get().start());
        timeline = next.get().timeline();
        start = next.get().start().segmentStart(size);
      }
    }
  }

  private Optional<NextTimeline> stream(
      PgConnection conn, TimelineId timeline, Lsn start, WalSegmentSize size) throws IOException {
    ReplicationStream rs = conn.startReplication(options.slot(), start, timeline);
    currentStream = rs;
    received = start;
    Feedback feedback =
        new Feedback(rs, () -> received, sink::durableLsn, options.statusInterval());
    this.feedback = feedback;
    Thread t = new Thread(feedback, "klio-walstream-feedback");
    t.setDaemon(true);
    t.start();
    try {
      listener.streaming(timeline, start);
      if (stopRequested) {
        rs.stop();
      }
      Optional<Lsn> end = options.endPosition();
      boolean stopping = false;
      while (true) {
        ReplicationStream.Event e = rs.read();
        if (e instanceof ReplicationStream.Data d) {
          XLogData x = d.message();
          if (stopping || !x.start().equals(received)) {
            if (!stopping) {
              throw new PermanentException(
                  "the server sent WAL at " + x.start() + " but " + received + " was expected");
            }
            continue;
          }
          int len = x.length();
          if (end.isPresent() && x.end().isAfter(end.get())) {
            len = (int) end.get().minus(x.start());
          }
          sink.write(timeline, x.start(), x.data(), x.offset(), len);
          received = x.start().plus(len);
          if (options.synchronous() && !conn.decoder().hasBuffered() && !sink.requestFlush()) {
            feedback.sendNow(); // the commit waiting for this WAL can return at once
          }
          if (end.isPresent() && !received.isBefore(end.get())) {
            sink.flush();
            stopping = true;
            rs.stop();
          }
        } else if (e instanceof ReplicationStream.Keepalive k) {
          if (k.message().replyRequested()) {
            if (options.synchronous()) {
              sink.flush();
            }
            feedback.requestReply();
          }
        } else {
          return ((ReplicationStream.End) e).next();
        }
        if (feedback.failure() != null) {
          throw feedback.failure();
        }
      }
    } finally {
      feedback.stop();
      currentStream = null;
      listener.ended();
    }
  }

  private volatile Feedback feedback;

  private void wake() {
    Feedback f = feedback;
    if (f != null) {
      f.durableAdvanced();
    }
  }

  private void reportNow() {
    Feedback f = feedback;
    if (f != null) {
      f.sendNowQuietly();
    }
  }

  private void checkSystem(SystemIdentifier server) throws IOException {
    Optional<SystemIdentifier> held = sink.systemIdentifier();
    if (held.isPresent() && !held.get().equals(server)) {
      throw new PermanentException(
          "system identifier mismatch: "
              + sink
              + " holds WAL of database system "
              + held.get()
              + ", but the server at "
              + settings.host()
              + " is system "
              + server
              + "; this is a different cluster: use another archive for it");
    }
  }

  private Optional<SlotState> prepareSlot(PgConnection conn) throws IOException {
    if (options.slot().isEmpty()) {
      return Optional.empty();
    }
    String name = options.slot().get();
    Optional<SlotState> slot = conn.readReplicationSlot(name);
    if (slot.isEmpty()) {
      if (!options.createSlot()) {
        throw new PermanentException(
            "replication slot \""
                + name
                + "\" does not exist on the server; create it (klio"
                + " receive-wal --create-slot -S "
                + name
                + ") or let the receiver create it");
      }
      LOG.info("creating replication slot \"{}\"", name);
      conn.createPhysicalSlot(name, true);
      slot = conn.readReplicationSlot(name);
    }
    if (slot.isPresent() && !slot.get().type().equals("physical")) {
      throw new PermanentException(
          "replication slot \""
              + name
              + "\" is a "
              + slot.get().type()
              + " slot; a physical slot is needed");
    }
    return slot;
  }

  /** Parses a size setting as SHOW prints it: {@code 16MB}, {@code 1GB}, {@code 1024kB}. */
  static long parseSize(String s) throws PermanentException {
    String v = s.trim();
    long unit = 1;
    if (v.endsWith("kB")) {
      unit = 1L << 10;
    } else if (v.endsWith("MB")) {
      unit = 1L << 20;
    } else if (v.endsWith("GB")) {
      unit = 1L << 30;
    }
    try {
      return Long.parseLong(v.replaceAll("[a-zA-Z]+$", "")) * unit;
    } catch (NumberFormatException e) {
      throw new PermanentException("cannot read the size \"" + s + "\"", e);
    }
  }

  /** The position up to which WAL has been received. Thread-safe. */
  public Lsn receivedLsn() {
    return received;
  }

  /** Asks a running {@link #run()} to end the stream cleanly; safe from any thread. */
  public void stop() {
    stopRequested = true;
    ReplicationStream rs = currentStream;
    if (rs != null) {
      try {
        rs.stop();
      } catch (IOException e) {
        LOG.debug("could not send CopyDone: {}", e.getMessage());
      }
    }
  }
}
