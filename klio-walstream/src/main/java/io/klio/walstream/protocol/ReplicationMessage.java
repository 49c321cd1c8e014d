package io.klio.walstream.protocol;

import io.klio.api.Lsn;
import java.nio.ByteBuffer;

/**
 * The messages inside CopyData during physical streaming replication: {@link XLogData} and {@link
 * PrimaryKeepalive} from the server, {@link StandbyStatusUpdate} from the client. Timestamps are
 * microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch).
 */
public sealed interface ReplicationMessage {

  /** Microseconds between the Unix epoch and PostgreSQL's epoch, 2000-01-01 UTC. */
  long POSTGRES_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;

  /** Now, in PostgreSQL's timestamp form. */
  static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000 - POSTGRES_EPOCH_OFFSET_MICROS;
  }

  /**
   * 'w': WAL bytes starting at {@code start}. The bytes are {@code data[offset, offset+length)},
   * shared with the received message (not copied).
   */
  record XLogData(
      Lsn start, Lsn serverEnd, long sendTimeMicros, byte[] data, int offset, int length)
      implements ReplicationMessage {
    public Lsn end() {
      return start.plus(length);
    }
  }

  /** 'k': the server's position; {@code replyRequested} asks for a status update at once. */
  record PrimaryKeepalive(Lsn serverEnd, long sendTimeMicros, boolean replyRequested)
      implements ReplicationMessage {}

  /**
   * 'r': what this client has received ({@code write}), made durable ({@code flush}) and applied
   * ({@code apply}).
   */
  record StandbyStatusUpdate(
      Lsn write, Lsn flush, Lsn apply, long clockMicros, boolean replyRequested)
      implements ReplicationMessage {

    /** The CopyData payload. */
    public byte[] encode() {
      return ByteBuffer.allocate(34)
          .put((byte) 'r')
          .putLong(write.value())
          .putLong(flush.value())
          .putLong(apply.value())
          .putLong(clockMicros)
          .put((byte) (replyRequested ? 1 : 0))
          .array();
    }
  }

  /** Decodes the payload of a CopyData message received while streaming. */
  static ReplicationMessage decode(byte[] payload) throws ProtocolException {
    if (payload.length == 0) {
      throw new ProtocolException("empty CopyData message while streaming");
    }
    MessageReader r = new MessageReader('d', payload);
    byte kind = r.int8();
    switch (kind) {
      case 'w' -> {
        Lsn start = Lsn.of(r.int64());
        Lsn end = Lsn.of(r.int64());
        long time = r.int64();
        int off = r.position();
        int len = payload.length - off;
        if (Long.compareUnsigned(start.value() + len, start.value()) < 0) {
          throw new ProtocolException("XLogData at " + start + " runs past the end of the WAL");
        }
        return new XLogData(start, end, time, payload, off, len);
      }
      case 'k' -> {
        PrimaryKeepalive k = new PrimaryKeepalive(Lsn.of(r.int64()), r.int64(), r.int8() != 0);
        r.end();
        return k;
      }
      default ->
          throw new ProtocolException(
              "unknown replication message type 0x" + Integer.toHexString(kind & 0xFF));
    }
  }
}
