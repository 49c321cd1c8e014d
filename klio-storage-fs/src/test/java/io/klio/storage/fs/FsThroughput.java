package io.klio.storage.fs;

import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Benchmark driver (not a test), run by {@code bench/fs-blobstore.sh}: one put of a source file
 * into a filesystem store, or one get of it to nowhere. Prints {@code <op> <bytes> <seconds>}.
 *
 * <p>Usage: {@code FsThroughput put|get <store-dir> <source-file>}
 */
public final class FsThroughput {

  private FsThroughput() {}

  public static void main(String[] args) throws Exception {
    String op = args[0];
    Path root = Path.of(args[1]);
    BlobKey key = BlobKey.of("bench/object");
    try (BlobStore store = BlobStores.open(root.toUri().toString())) {
      long start = System.nanoTime();
      long bytes;
      if (op.equals("put")) {
        try (InputStream in = Files.newInputStream(Path.of(args[2]))) {
          bytes = store.put(key, in).size();
        }
      } else if (op.equals("get")) {
        bytes = 0;
        byte[] buf = new byte[1 << 20];
        try (InputStream in = store.get(key)) {
          for (int n; (n = in.read(buf)) >= 0; ) {
            bytes += n;
          }
        }
      } else {
        throw new IllegalArgumentException("usage: FsThroughput put|get <store-dir> <source>");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("%s %d %.4f%n", op, bytes, seconds);
    }
  }
}
