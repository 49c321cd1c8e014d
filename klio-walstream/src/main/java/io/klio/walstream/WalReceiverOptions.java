package io.klio.walstream;

import io.klio.api.Lsn;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link WalReceiver} streams.
 *
 * @param slot the replication slot to stream from (recommended: without one the server may remove
 *     WAL the receiver has not stored yet)
 * @param createSlot create the slot when it does not exist
 * @param synchronous make WAL durable and report it after every batch received, for use as a
 *     synchronous standby (zero data loss)
 * @param statusInterval how often to send status updates at least; zero turns periodic updates off
 *     (replies to the server's requests and durability reports are still sent)
 * @param endPosition stop once WAL up to this position has been received and stored
 */
public record WalReceiverOptions(
    Optional<String> slot,
    boolean createSlot,
    boolean synchronous,
    Duration statusInterval,
    Optional<Lsn> endPosition) {

  public WalReceiverOptions {
    if (statusInterval.isNegative()) {
      throw new IllegalArgumentException("status interval must not be negative");
    }
  }

  /** No slot, asynchronous, status every 10 seconds, no end position. */
  public static WalReceiverOptions defaults() {
    return new WalReceiverOptions(
        Optional.empty(), false, false, Duration.ofSeconds(10), Optional.empty());
  }

  public WalReceiverOptions withSlot(String name, boolean create) {
    return new WalReceiverOptions(
        Optional.of(name), create, synchronous, statusInterval, endPosition);
  }

  public WalReceiverOptions withSynchronous(boolean sync) {
    return new WalReceiverOptions(slot, createSlot, sync, statusInterval, endPosition);
  }

  public WalReceiverOptions withStatusInterval(Duration interval) {
    return new WalReceiverOptions(slot, createSlot, synchronous, interval, endPosition);
  }

  public WalReceiverOptions withEndPosition(Lsn end) {
    return new WalReceiverOptions(slot, createSlot, synchronous, statusInterval, Optional.of(end));
  }
}
