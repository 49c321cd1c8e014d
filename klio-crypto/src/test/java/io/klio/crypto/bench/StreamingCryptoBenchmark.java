package io.klio.crypto.bench;

import io.klio.api.format.ObjectType;
import io.klio.crypto.KeyRing;
import io.klio.crypto.SealedObjects;
import io.klio.storage.BlobKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * Streaming encryption and decryption of a 64 MiB object through {@link SealedObjects}, on one
 * thread, against the JDK's AES-256-GCM over the same bytes in 1 MiB pieces (the ceiling). One
 * operation = 64 MiB; GB/s = ops/s × 0.0671. Run: bench/crypto-jmh.sh
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StreamingCryptoBenchmark {

  static final int SIZE = 64 << 20;
  static final BlobKey KEY = BlobKey.of("packs/ab/benchmark");

  byte[] plaintext;
  byte[] sealed;
  SealedObjects objects;
  byte[] buffer = new byte[1 << 16];
  byte[] aesKey = new byte[32];

  @Setup
  public void setUp() throws IOException {
    plaintext = new byte[SIZE];
    new Random(1).nextBytes(plaintext);
    new Random(2).nextBytes(aesKey);
    objects = SealedObjects.encrypted(KeyRing.generate(UUID.randomUUID()));
    sealed =
        objects
            .seal(KEY, ObjectType.WAL_SEGMENT, 0, SIZE, new ByteArrayInputStream(plaintext))
            .readAllBytes();
  }

  private long drain(InputStream in) throws IOException {
    long n = 0;
    for (int r; (r = in.read(buffer)) >= 0; ) {
      n += r;
    }
    return n;
  }

  @Benchmark
  public long encrypt() throws IOException {
    return drain(
        objects.seal(KEY, ObjectType.WAL_SEGMENT, 0, SIZE, new ByteArrayInputStream(plaintext)));
  }

  @Benchmark
  public long decrypt() throws IOException {
    return drain(objects.open(KEY, new ByteArrayInputStream(sealed)).payload());
  }

  @Benchmark
  public long jdkAesGcmBaseline() throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    byte[] out = new byte[(1 << 20) + 16];
    byte[] iv = new byte[12];
    long n = 0;
    for (int off = 0; off < SIZE; off += 1 << 20) {
      iv[0]++;
      iv[1] = (byte) (off >>> 20);
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, iv));
      n += c.doFinal(plaintext, off, 1 << 20, out, 0);
    }
    return n;
  }
}
