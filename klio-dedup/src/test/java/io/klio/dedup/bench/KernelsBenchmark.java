package io.klio.dedup.bench;

import io.klio.api.format.Codec;
import io.klio.dedup.chunk.FastCdc;
import io.klio.dedup.codec.Lz4Codec;
import io.klio.dedup.codec.ZstdCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-core kernels of the backup path over 64 MiB of PostgreSQL-like pages (8 KiB pages, half
 * filled with repetitive tuples, half random): chunking, SHA-256, zstd 1/3 and lz4. One op = 64
 * MiB, so GB/s = ops/s × 0.0671. Run: bench/dedup-jmh.sh
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KernelsBenchmark {

  static final int SIZE = 64 << 20;
  byte[] data;
  byte[] zstd1;
  byte[] zstd3;
  byte[] lz4;
  final FastCdc chunker = new FastCdc(256 << 10, 1 << 20, 4 << 20);
  final Codec z1 = new ZstdCodec(1);
  final Codec z3 = new ZstdCodec(3);
  final Codec l4 = new Lz4Codec();
  MessageDigest sha;

  @Setup
  public void setUp() throws NoSuchAlgorithmException {
    data = new byte[SIZE];
    Random r = new Random(1);
    byte[] tuple =
        "42|alice|2026-11-24 05:44:32|active|".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int page = 0; page < SIZE / 8192; page++) {
      int base = page * 8192;
      for (int i = 0; i < 4096; i++) {
        data[base + i] = tuple[i % tuple.length];
      }
      byte[] noise = new byte[4096];
      r.nextBytes(noise);
      System.arraycopy(noise, 0, data, base + 4096, 4096);
    }
    sha = MessageDigest.getInstance("SHA-256");
    zstd1 = z1.encode(data, 0, SIZE);
    zstd3 = z3.encode(data, 0, SIZE);
    lz4 = l4.encode(data, 0, SIZE);
  }

  @Benchmark
  public long chunkFastCdc() throws IOException {
    long[] n = {0};
    chunker.split(new ByteArrayInputStream(data), (b, off, len) -> n[0]++);
    return n[0];
  }

  @Benchmark
  public byte[] sha256() {
    return sha.digest(data);
  }

  @Benchmark
  public int zstd1Compress() {
    return z1.encode(data, 0, SIZE).length;
  }

  @Benchmark
  public int zstd3Compress() {
    return z3.encode(data, 0, SIZE).length;
  }

  @Benchmark
  public int lz4Compress() {
    return l4.encode(data, 0, SIZE).length;
  }

  @Benchmark
  public int zstd3Decompress() throws Exception {
    return z3.decode(zstd3, SIZE).length;
  }

  @Benchmark
  public int lz4Decompress() throws Exception {
    return l4.decode(lz4, SIZE).length;
  }
}
