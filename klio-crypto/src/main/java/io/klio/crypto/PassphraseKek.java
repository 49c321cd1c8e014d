package io.klio.crypto;

import io.klio.api.error.PermanentException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * A passphrase stretched with Argon2id into a 256-bit key. The salt and cost parameters are stored
 * in front of each wrapped blob, so they can be raised later without losing old rings.
 */
final class PassphraseKek implements Kek {

  static final byte SCHEME = 2;
  static final int MIN_LENGTH = 12;

  private final char[] passphrase;
  private final String description;
  private final int memoryKiB;
  private final int iterations;

  PassphraseKek(char[] passphrase, String description, int memoryKiB, int iterations)
      throws PermanentException {
    if (passphrase.length < MIN_LENGTH) {
      throw new PermanentException(
          "the passphrase from " + description + " is shorter than " + MIN_LENGTH + " characters");
    }
    this.passphrase = passphrase.clone();
    this.description = description;
    this.memoryKiB = memoryKiB;
    this.iterations = iterations;
  }

  private byte[] derive(byte[] salt, int memory, int iter, int parallelism) {
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withSalt(salt)
            .withMemoryAsKB(memory)
            .withIterations(iter)
            .withParallelism(parallelism)
            .build());
    byte[] key = new byte[32];
    g.generateBytes(new String(passphrase).getBytes(StandardCharsets.UTF_8), key);
    return key;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public byte[] wrap(byte[] plaintext, byte[] aad) throws IOException {
    byte[] salt = AesGcm.random(16);
    try {
      byte[] ct = AesGcm.encrypt(derive(salt, memoryKiB, iterations, 1), plaintext, aad);
      return ByteBuffer.allocate(1 + 4 + 4 + 1 + 16 + ct.length)
          .put(SCHEME)
          .putInt(memoryKiB)
          .putInt(iterations)
          .put((byte) 1)
          .put(salt)
          .put(ct)
          .array();
    } catch (GeneralSecurityException e) {
      throw new PermanentException("could not wrap with " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws IOException {
    if (wrapped.length < 26 || wrapped[0] != SCHEME) {
      throw new WrongKeyException("it was not wrapped with a passphrase-derived key");
    }
    ByteBuffer b = ByteBuffer.wrap(wrapped, 1, 25);
    int memory = b.getInt();
    int iter = b.getInt();
    int par = b.get();
    if (memory < 8 || memory > (4 << 20) || iter < 1 || iter > 100 || par < 1 || par > 16) {
      throw new WrongKeyException("its Argon2id parameters are out of range (tampered?)");
    }
    byte[] salt = new byte[16];
    b.get(salt);
    return AesGcm.unwrapOrRefuse(
        derive(salt, memory, iter, par), wrapped, 26, aad, "the passphrase from " + description);
  }

  @Override
  public String toString() {
    return "Kek[" + description + "]";
  }

  /** 64 MiB, 3 passes: OWASP's Argon2id baseline. */
  static final int DEFAULT_MEMORY_KIB = 64 * 1024;

  static final int DEFAULT_ITERATIONS = 3;

  /** {@code passphrase-file:/path} (the first line). */
  public static final class FileProvider implements KekProvider {
    @Override
    public String scheme() {
      return "passphrase-file";
    }

    @Override
    public Kek open(String location) throws IOException {
      Path p = Keks.readableFile(location, "passphrase file");
      String first = Files.readString(p).lines().findFirst().orElse("");
      return new PassphraseKek(
          first.toCharArray(), "passphrase file " + p, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS);
    }
  }

  /** {@code passphrase-env:NAME}. */
  public static final class EnvProvider implements KekProvider {
    @Override
    public String scheme() {
      return "passphrase-env";
    }

    @Override
    public Kek open(String name) throws IOException {
      String v = System.getenv(name);
      if (v == null || v.isEmpty()) {
        throw new PermanentException(
            "environment variable " + name + " (the passphrase) is not set");
      }
      return new PassphraseKek(
          v.toCharArray(),
          "passphrase in environment variable " + name,
          DEFAULT_MEMORY_KIB,
          DEFAULT_ITERATIONS);
    }
  }
}
