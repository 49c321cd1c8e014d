package io.klio.walstream;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.WalSegmentSize;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

/**
 * Where a {@link WalReceiver} puts WAL: a directory (like pg_receivewal), a Klio server, anything a
 * third party writes. Found by name through {@link WalSinkProvider}.
 *
 * <p><b>Durability is the sink's promise.</b> {@link #durableLsn()} is the position before which
 * every byte written is safely stored (fsynced, or acknowledged by a server that fsynced). The
 * receiver reports exactly that to PostgreSQL as the flush position, so a replication slot never
 * advances past WAL that could still be lost, and a synchronous standby entry for the receiver
 * means zero data loss. A sink must never report a position it has not made durable.
 *
 * <p><b>Threading.</b> One receiver thread calls every method except {@link #durableLsn()}, which
 * any thread may call. A sink may make data durable asynchronously, from its own threads; it then
 * calls the {@link DurabilityListener} given to {@link #open}.
 *
 * <p><b>Lifecycle.</b> {@link #newestSegment()} and {@link #systemIdentifier()} may be called
 * before {@link #open}; then {@link #open} once per replication connection, writes, and {@link
 * #close()} at the end (which makes everything written durable).
 */
public interface WalSink extends Closeable {

  /** Told when {@link #durableLsn()} advanced. May be called from any thread. */
  @FunctionalInterface
  interface DurabilityListener {
    void durable(Lsn upTo);
  }

  /** What the receiver learned about the server before streaming. */
  record StreamInfo(SystemIdentifier systemId, WalSegmentSize segmentSize, int serverMajor) {}

  /** A stored segment: complete, or {@code .partial}. */
  record StoredSegment(WalFileName.Segment segment, boolean partial) {}

  /**
   * The newest segment the sink holds (highest segment number, then highest timeline), to resume
   * from: after it when complete, at its start when partial. Empty when the sink holds no WAL.
   */
  Optional<StoredSegment> newestSegment(WalSegmentSize size) throws IOException;

  /** The system identifier of the WAL the sink holds, when it holds any and knows it. */
  Optional<SystemIdentifier> systemIdentifier() throws IOException;

  /** Prepares for a stream from a server; called once per replication connection. */
  void open(StreamInfo info, DurabilityListener listener) throws IOException;

  /**
   * Stores WAL bytes of {@code timeline} starting at {@code start}; consecutive calls are
   * contiguous except after {@link #endOfTimeline} or a new {@link #open}. The bytes may cross
   * segment boundaries; the array is not kept after the call returns.
   */
  void write(TimelineId timeline, Lsn start, byte[] data, int offset, int length)
      throws IOException;

  /** Makes everything written so far durable before returning. */
  void flush() throws IOException;

  /**
   * Synchronous mode: asks for everything written so far to be made durable as soon as possible. A
   * sink that does it in the background returns {@code true} without waiting and calls the {@link
   * DurabilityListener} once it is done, which reports it to PostgreSQL at once from that thread,
   * while the receiver goes on reading WAL. The default flushes before returning and returns {@code
   * false}: the receiver then reports the flush itself.
   *
   * <p>A sink that returns {@code true} must notice a flush that is never completed (the storage
   * stopped answering) and fail a later call, at the latest the next blocking {@link #flush()},
   * which the receiver calls when PostgreSQL asks for a reply.
   */
  default boolean requestFlush() throws IOException {
    flush();
    return false;
  }

  /** The timeline ended at {@code end}: keep its last, incomplete segment as {@code .partial}. */
  void endOfTimeline(TimelineId timeline, Lsn end) throws IOException;

  /** Stores a timeline history file ({@code <TLI>.history}) durably. */
  void writeHistory(TimelineId timeline, byte[] content) throws IOException;

  /** Whether the history file of {@code timeline} is already stored. */
  boolean hasHistory(TimelineId timeline) throws IOException;

  /** Everything before this position is durable. Thread-safe. */
  Lsn durableLsn();

  /** Makes everything written durable and releases resources. */
  @Override
  void close() throws IOException;
}
