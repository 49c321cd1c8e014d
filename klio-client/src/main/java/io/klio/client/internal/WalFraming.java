package io.klio.client.internal;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import com.google.protobuf.ByteString;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.grpc.v1.WalData;
import io.klio.api.grpc.v1.WalEncoding;
import java.io.IOException;

/**
 * WAL as the sink sends it (docs/grpc-api.md, {@code WalData}): cut at segment ends, and each piece
 * of at least {@link #MIN_COMPRESS} bytes compressed into one zstd frame (with its checksum) when
 * that is smaller, so that the server can keep a segment's frames as they came. Other pieces go
 * raw. Not thread-safe: the sink's thread; the zstd context is reused for every piece.
 */
final class WalFraming {

  /**
   * WAL messages smaller than this go uncompressed: compressing a few hundred bytes of a
   * synchronous commit gains little on the wire, and the server compresses such segments whole.
   */
  static final int MIN_COMPRESS = 8 << 10;

  /** Where the pieces go, in order. */
  @FunctionalInterface
  interface Pieces {
    void accept(WalData.Builder piece) throws IOException;
  }

  private final ZstdCompressCtx zstd; // null: WAL goes uncompressed
  private byte[] frame = new byte[0];

  /**
   * @param level the zstd level (1-19), 0 for none
   */
  WalFraming(int level) {
    if (level < 0 || level > 19) {
      throw new IllegalArgumentException("zstd level " + level + " is out of range 0-19");
    }
    if (level > 0) {
      zstd = new ZstdCompressCtx();
      zstd.setLevel(level);
      zstd.setChecksum(true);
    } else {
      zstd = null;
    }
  }

  /**
   * Cuts {@code length} bytes of WAL of {@code timeline} from {@code start} at the ends of segments
   * of {@code segmentBytes} and passes each piece to {@code out}. The array is not kept.
   */
  void frame(
      long segmentBytes,
      TimelineId timeline,
      Lsn start,
      byte[] data,
      int offset,
      int length,
      Pieces out)
      throws IOException {
    while (length > 0) {
      long inSegment = segmentBytes - Long.remainderUnsigned(start.value(), segmentBytes);
      int n = (int) Math.min(length, inSegment);
      out.accept(piece(timeline, start, data, offset, n));
      start = start.plus(n);
      offset += n;
      length -= n;
    }
  }

  private WalData.Builder piece(
      TimelineId timeline, Lsn start, byte[] data, int offset, int length) {
    WalData.Builder d =
        WalData.newBuilder().setTimeline((int) timeline.value()).setStartLsn(start.value());
    int compressed = length >= MIN_COMPRESS && zstd != null ? compress(data, offset, length) : -1;
    if (compressed > 0 && compressed < length) {
      d.setEncoding(WalEncoding.WAL_ENCODING_ZSTD)
          .setWalLength(length)
          .setData(ByteString.copyFrom(frame, 0, compressed));
    } else {
      d.setData(ByteString.copyFrom(data, offset, length));
    }
    return d;
  }

  /** Compresses into {@link #frame}; the frame's length, or -1 when it would not fit. */
  private int compress(byte[] data, int offset, int length) {
    if (frame.length < length) {
      frame = new byte[length + (length >> 3)];
    }
    try {
      return zstd.compressByteArray(frame, 0, length, data, offset, length);
    } catch (ZstdException e) {
      return -1; // the frame is no smaller than the WAL (dstSize_tooSmall): send it raw
    }
  }
}
