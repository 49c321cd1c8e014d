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
 * <p><b>Threading.</b> One receiver thread calls every method except {@link #durableLsn()}, and its
 * calls never overlap: each returns before the next starts. {@link #durableLsn()} is called from
 * any thread (the receiver's feedback thread, and whichever thread calls the listener) while the
 * receiver holds its status lock: it must return at once, without blocking, so a sink never calls
 * the {@link DurabilityListener} while holding a lock that {@link #durableLsn()} needs. A sink may
 * make data durable asynchronously, from its own threads; it then calls the listener given to
 * {@link #open}, from any thread. The listener never throws; in synchronous mode it sends the
 * status update to PostgreSQL from the calling thread (a socket write), otherwise it only wakes the
 * feedback thread.
 *
 * <p><b>Errors.</b> Every method but {@link #durableLsn()} may fail with an {@link IOException},
 * classified by the sink where it happens ({@code io.klio.api.error}): a {@link
 * io.klio.api.error.RetryableException} when a new stream may succeed (a store or server that did
 * not answer or dropped the connection, an acknowledgement that did not come in time), a {@link
 * io.klio.api.error.PermanentException} when a person has to act (a file that is not what it should
 * be, WAL of another database system, refused credentials). The receiver neither retries nor
 * classifies: any exception from the sink ends {@link WalReceiver#run()} with that exception at
 * once; the replication connection is closed, so PostgreSQL keeps the flush position last reported,
 * and the sink stays open. Its caller decides: Klio's {@code receive-wal} and {@code send-wal} run
 * the receiver again after a back-off for a retryable failure or an {@link IOException} of no Klio
 * kind, and stop for a permanent one ({@code receive-wal} only when it had received nothing yet). A
 * new {@link WalReceiver#run()} calls {@link #systemIdentifier()}, {@link #open} and {@link
 * #newestSegment} again on the same sink, so after any failure a sink still reports truthfully what
 * it holds and accepts a new stream starting where it says. An unchecked exception ({@link
 * IllegalStateException}) means the caller broke this contract, such as a write that does not
 * follow the previous one; the receiver lets it through like any other.
 *
 * <p><b>Lifecycle.</b> {@link #newestSegment} and {@link #systemIdentifier()} may be called before
 * {@link #open}; then {@link #open} once per replication connection (again after a failure, on the
 * same sink), writes, and {@link #close()} at the end, by the receiver's caller (the receiver never
 * closes the sink).
 */
public interface WalSink extends Closeable {

  /**
   * Told when {@link #durableLsn()} advanced, with the new position. May be called from any thread;
   * never throws.
   */
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
   *
   * @throws io.klio.api.error.PermanentException when what the sink holds does not fit {@code size}
   *     (a file of another size), rather than a guess
   * @throws io.klio.api.error.RetryableException when the store did not answer
   */
  Optional<StoredSegment> newestSegment(WalSegmentSize size) throws IOException;

  /**
   * The system identifier of the WAL the sink holds, when it holds any and knows it. The receiver
   * refuses to stream from a server with another one ({@link
   * io.klio.api.error.PermanentException}).
   *
   * @throws io.klio.api.error.RetryableException when the store did not answer
   */
  Optional<SystemIdentifier> systemIdentifier() throws IOException;

  /**
   * Prepares for a stream from a server; called once per replication connection, before the first
   * {@link #write} of that connection.
   *
   * @throws io.klio.api.error.PermanentException when the sink refuses WAL of this server (another
   *     database system or segment size than it holds)
   * @throws io.klio.api.error.RetryableException when the store or server did not answer
   */
  void open(StreamInfo info, DurabilityListener listener) throws IOException;

  /**
   * Stores WAL bytes of {@code timeline} starting at {@code start}; consecutive calls are
   * contiguous except after {@link #endOfTimeline} or a new {@link #open}. The bytes may cross
   * segment boundaries; the array is not kept after the call returns. Nothing need be durable when
   * it returns.
   *
   * @throws io.klio.api.error.RetryableException when the store or server failed; the next stream
   *     starts again at {@link #newestSegment}, so WAL not yet durable is sent again
   * @throws io.klio.api.error.PermanentException when the sink cannot store it (a segment file of
   *     the wrong size)
   * @throws IllegalStateException when {@code start} does not follow the previous write
   */
  void write(TimelineId timeline, Lsn start, byte[] data, int offset, int length)
      throws IOException;

  /**
   * Makes everything written so far durable before returning ({@link #durableLsn()} then covers
   * it). The receiver calls it when PostgreSQL asks for a reply in synchronous mode and at the end
   * of a stream.
   *
   * @throws io.klio.api.error.RetryableException when durability could not be reached or confirmed
   *     in time (a server that did not acknowledge)
   * @throws io.klio.api.error.PermanentException when the store refuses for good
   */
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
   *
   * @throws IOException as {@link #flush()}, or for an earlier background flush that failed
   */
  default boolean requestFlush() throws IOException {
    flush();
    return false;
  }

  /**
   * The timeline ended at {@code end}: keep its last, incomplete segment as {@code .partial}.
   *
   * @throws IOException as {@link #flush()}
   */
  void endOfTimeline(TimelineId timeline, Lsn end) throws IOException;

  /**
   * Stores a timeline history file ({@code <TLI>.history}) durably before returning; storing the
   * same content again is harmless.
   *
   * @throws IOException as {@link #flush()}
   */
  void writeHistory(TimelineId timeline, byte[] content) throws IOException;

  /**
   * Whether the history file of {@code timeline} is already stored.
   *
   * @throws io.klio.api.error.RetryableException when the store did not answer
   */
  boolean hasHistory(TimelineId timeline) throws IOException;

  /**
   * Everything before this position is durable ({@link Lsn#INVALID} before anything is). Called
   * from any thread; never blocks, never throws, never goes back.
   */
  Lsn durableLsn();

  /**
   * Makes everything written durable, as far as it still can, and releases resources. Called by the
   * receiver's caller when it is done with the sink, also after a failure; a sink whose store is
   * gone may then give up without an exception, since {@link #durableLsn()} never claimed more than
   * was stored. Whether {@link #open} may follow a close is the implementation's to say (the
   * directory sink and Klio's server sink allow it; send-wal closes the server sink after each
   * stream and opens it again).
   */
  @Override
  void close() throws IOException;
}
