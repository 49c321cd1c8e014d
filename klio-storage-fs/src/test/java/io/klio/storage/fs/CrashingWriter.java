package io.klio.storage.fs;

import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;

/**
 * Run in a child JVM by {@link FsBlobStoreCrashIT}: puts self-verifying objects (length, SHA-256,
 * payload) in a loop, some overwriting earlier keys, and prints "stored KEY" after each put
 * returns, until it is killed.
 */
public final class CrashingWriter {

  private CrashingWriter() {}

  public static void main(String[] args) throws Exception {
    long seed = Long.parseLong(args[1]);
    Random random = new Random(seed);
    try (BlobStore store = BlobStores.open(args[0])) {
      for (int i = 0; ; i++) {
        int size = random.nextInt(4 << 20);
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        byte[] object = encode(payload);
        BlobKey key = BlobKey.of("objects/" + seed + "-" + random.nextInt(64));
        store.put(key, new ByteArrayInputStream(object));
        System.out.println("stored " + key);
        System.out.flush();
      }
    }
  }

  static byte[] encode(byte[] payload) throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(payload);
    return ByteBuffer.allocate(8 + 32 + payload.length)
        .putLong(payload.length)
        .put(hash)
        .put(payload)
        .array();
  }

  /** Null when the object is whole, else what is wrong with it. */
  static String check(byte[] object) throws Exception {
    if (object.length < 40) {
      return "shorter than its header: " + object.length + " bytes";
    }
    ByteBuffer b = ByteBuffer.wrap(object);
    long len = b.getLong();
    if (len != object.length - 40) {
      return "header says " + len + " payload bytes, object has " + (object.length - 40);
    }
    byte[] hash = new byte[32];
    b.get(hash);
    byte[] actual =
        MessageDigest.getInstance("SHA-256")
            .digest(java.util.Arrays.copyOfRange(object, 40, object.length));
    return java.util.Arrays.equals(hash, actual) ? null : "checksum mismatch";
  }
}
