package io.klio.backup.bench;

import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.backup.BackupResult;
import io.klio.backup.ChunkSink;
import io.klio.backup.FileBackup;
import io.klio.backup.PgDataWalker;
import io.klio.dedup.repo.ChunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The backup reader's wall time over a data directory of PostgreSQL-like pages in the page cache
 * (256 MiB: four 48 MiB relation files and 4,000 files of 16 KiB): a first backup (every chunk
 * missing: chunked, hashed, zstd-encoded, put) and a second one (every chunk known: chunked and
 * hashed only), with the repository's default chunker and codec, into sinks that keep nothing. One
 * op = one backup, so MiB/s = 256 / (s/op). Run: bench/jmh.sh klio-backup FileBackupBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class FileBackupBenchmark {

  @Param({"1", "2"})
  public int workers;

  Path data;
  PgDataWalker walker;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    data = Files.createTempDirectory("klio-backup-bench-");
    Random r = new Random(1);
    Files.writeString(data.resolve("PG_VERSION"), "15\n");
    byte[] control = new byte[8192];
    ByteBuffer.wrap(control).order(ByteOrder.nativeOrder()).putInt(12, 202209061);
    Files.createDirectories(data.resolve("global"));
    Files.write(data.resolve("global/pg_control"), control);
    Path db = Files.createDirectories(data.resolve("base/5"));
    for (int i = 0; i < 4; i++) {
      Files.write(db.resolve(Integer.toString(16384 + i)), pages(48 << 20, r));
    }
    for (int i = 0; i < 4000; i++) {
      Files.write(db.resolve(Integer.toString(20000 + i)), pages(16 << 10, r));
    }
    walker = PgDataWalker.open(data);
  }

  /** 8 KiB pages, half repetitive tuples, half noise (as KernelsBenchmark). */
  static byte[] pages(int size, Random r) {
    byte[] b = new byte[size];
    byte[] tuple = "42|alice|2026-11-24 05:44:32|active|".getBytes();
    byte[] noise = new byte[4096];
    for (int page = 0; page < size / 8192; page++) {
      int base = page * 8192;
      for (int i = 0; i < 4096; i++) {
        b[base + i] = tuple[i % tuple.length];
      }
      r.nextBytes(noise);
      System.arraycopy(noise, 0, b, base + 4096, 4096);
    }
    return b;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> s = Files.walk(data)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  FileBackup backup(boolean missing) throws PermanentException {
    return FileBackup.builder()
        .repository("fastcdc(min=65536,avg=262144,max=1048576)", "sha256", new byte[0], "zstd:3")
        .sinks(worker -> new DiscardingSink(missing))
        .workers(workers)
        .build();
  }

  @Benchmark
  public BackupResult firstBackup() throws Exception {
    return backup(true).run(walker);
  }

  @Benchmark
  public BackupResult unchangedBackup() throws Exception {
    return backup(false).run(walker);
  }

  /** Answers every chunk as missing (or none), keeps nothing. */
  static final class DiscardingSink implements ChunkSink {
    private final boolean missing;
    long bytes;

    DiscardingSink(boolean missing) {
      this.missing = missing;
    }

    @Override
    public int[] missing(List<ChunkId> ids) {
      return missing ? IntStream.range(0, ids.size()).toArray() : new int[0];
    }

    @Override
    public void put(ChunkId id, int codec, byte[] encoded, int originalLength) {
      bytes += encoded.length;
    }

    @Override
    public void file(FileEntry entry) {}

    @Override
    public void close() {}

    @Override
    public void abort(Throwable cause) {}
  }
}
