package io.klio.crypto.bench;

import io.klio.api.format.ObjectType;
import io.klio.crypto.KeyRing;
import io.klio.crypto.SealedObjects;
import io.klio.storage.BlobKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of encrypting the first 16 MiB WAL segment in a fresh JVM, without and with {@link
 * SealedObjects#warmUp()} at startup (each fork is a fresh JVM; one shot per fork).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(5)
public class ColdStartBenchmark {

  @Param({"false", "true"})
  boolean warmUpFirst;

  SealedObjects objects;
  byte[] segment = new byte[16 << 20];

  @Setup(Level.Trial)
  public void start() throws IOException {
    if (warmUpFirst) {
      SealedObjects.warmUp(java.time.Duration.ofSeconds(15));
    }
    objects = SealedObjects.encrypted(KeyRing.generate(UUID.randomUUID()));
  }

  @Benchmark
  public long firstSegment() throws IOException {
    BlobKey key = BlobKey.of("clusters/c/wal/0000000100000000/000000010000000000000001");
    return objects
        .seal(key, ObjectType.WAL_SEGMENT, 0, segment.length, new ByteArrayInputStream(segment))
        .transferTo(java.io.OutputStream.nullOutputStream());
  }
}
