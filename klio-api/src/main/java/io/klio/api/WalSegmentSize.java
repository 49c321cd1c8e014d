package io.klio.api;

/**
 * The size of a cluster's WAL segment files: a power of two from 1 MiB to 1 GiB (16 MiB unless
 * {@code initdb --wal-segsize} chose otherwise).
 */
public record WalSegmentSize(int bytes) {

  public static final int MIN_BYTES = 1 << 20;
  public static final int MAX_BYTES = 1 << 30;

  /** PostgreSQL's default, 16 MiB. */
  public static final WalSegmentSize DEFAULT = new WalSegmentSize(16 << 20);

  public WalSegmentSize {
    if (bytes < MIN_BYTES || bytes > MAX_BYTES || Integer.bitCount(bytes) != 1) {
      throw new IllegalArgumentException(
          "invalid WAL segment size "
              + bytes
              + " bytes; it must be a power of two from 1 MiB (1048576) to 1 GiB (1073741824)");
    }
  }

  public static WalSegmentSize ofBytes(long bytes) {
    if (bytes > Integer.MAX_VALUE || bytes < 0) {
      throw new IllegalArgumentException("invalid WAL segment size " + bytes + " bytes");
    }
    return new WalSegmentSize((int) bytes);
  }

  public static WalSegmentSize ofMegabytes(int mib) {
    return ofBytes((long) mib << 20);
  }

  /** log2 of the size: the shift from an LSN to its segment number. */
  public int log2() {
    return Integer.numberOfTrailingZeros(bytes);
  }

  /** How many segments one 4 GiB "xlogid" holds: the modulus of a WAL file name's last part. */
  public long segmentsPerXLogId() {
    return 0x1_0000_0000L / bytes;
  }

  @Override
  public String toString() {
    return (bytes >> 20) + "MB";
  }
}
