package io.klio.dedup.chunk;

import java.io.IOException;
import java.io.InputStream;

/**
 * FastCDC (Xia et al., USENIX ATC 2016) with normalized chunking (level 2): a gear rolling hash, no
 * boundary before {@code min}, a stricter mask before {@code avg} and a looser one after it, a
 * forced boundary at {@code max}. The gear table comes from SplitMix64 seeded with {@code
 * 0x6B6C696F67656172} ("kliogear"); table, masks and cut rule are part of the repository format.
 */
public final class FastCdc implements Chunker {

  static final long[] GEAR = gearTable();

  private final int min;
  private final int avg;
  private final int max;
  private final long maskS;
  private final long maskL;

  public FastCdc(int min, int avg, int max) {
    if (Integer.bitCount(avg) != 1
        || avg < 256
        || min < 64
        || min >= avg
        || max <= avg
        || max > (64 << 20)) {
      throw new IllegalArgumentException(
          "invalid FastCDC sizes min="
              + min
              + " avg="
              + avg
              + " max="
              + max
              + ": need 64 <= min < avg < max <= 64 MiB with avg a power of two");
    }
    this.min = min;
    this.avg = avg;
    this.max = max;
    int bits = Integer.numberOfTrailingZeros(avg);
    this.maskS = topBits(bits + 2);
    this.maskL = topBits(bits - 2);
  }

  private static long topBits(int n) {
    return n >= 64 ? -1L : ~(-1L >>> n);
  }

  static long[] gearTable() {
    long[] t = new long[256];
    long x = 0x6B6C696F67656172L;
    for (int i = 0; i < 256; i++) {
      x += 0x9E3779B97F4A7C15L;
      long z = x;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      t[i] = z ^ (z >>> 31);
    }
    return t;
  }

  /** The length of the chunk that starts at {@code start} in {@code b[start, end)}. */
  int cut(byte[] b, int start, int end) {
    int n = end - start;
    if (n <= min) {
      return n;
    }
    int limit = Math.min(n, max);
    int normal = Math.min(limit, avg);
    long h = 0;
    int i = start + min;
    for (; i < start + normal; i++) {
      h = (h << 1) + GEAR[b[i] & 0xFF];
      if ((h & maskS) == 0) {
        return i - start + 1;
      }
    }
    for (; i < start + limit; i++) {
      h = (h << 1) + GEAR[b[i] & 0xFF];
      if ((h & maskL) == 0) {
        return i - start + 1;
      }
    }
    return limit;
  }

  @Override
  public void split(InputStream in, ChunkConsumer consumer) throws IOException {
    byte[] buf = new byte[2 * max];
    int start = 0;
    int end = 0;
    boolean eof = false;
    while (true) {
      if (!eof && end - start < max) {
        if (start > 0) {
          System.arraycopy(buf, start, buf, 0, end - start);
          end -= start;
          start = 0;
        }
        while (end < buf.length) {
          int r = in.read(buf, end, buf.length - end);
          if (r < 0) {
            eof = true;
            break;
          }
          end += r;
        }
      }
      if (start == end) {
        return;
      }
      int len = eof ? cut(buf, start, end) : cut(buf, start, start + Math.min(max, end - start));
      consumer.accept(buf, start, len);
      start += len;
    }
  }

  @Override
  public int maxChunkSize() {
    return max;
  }

  @Override
  public int nextChunk(byte[] b, int start, int end) {
    return cut(b, start, end);
  }

  @Override
  public String describe() {
    return "fastcdc(min=" + min + ",avg=" + avg + ",max=" + max + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
