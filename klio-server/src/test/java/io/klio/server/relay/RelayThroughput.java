package io.klio.server.relay;

import com.azure.storage.blob.BlobServiceClientBuilder;
import io.klio.server.config.ServerConfig.Tier2Settings;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.azure.Azurite;
import io.klio.testkit.process.ChildJvm;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark (bench/relay.sh): the relay draining a backlog of packs from Tier 1 to a real Tier 2
 * server on loopback (S3Proxy on its on-disk store in a JVM of its own, or Azurite), against the
 * same backend's raw puts of the same objects, read from the same Tier 1, with the same number of
 * threads, by this JVM against the same server. Rounds alternate which goes first; each writes
 * under a prefix of its own. Prints one line per run and, at the end, medians and the ratio.
 *
 * <p>Arguments: {@code s3|azure objects size-MiB parallelism rounds work-dir}.
 */
public final class RelayThroughput {

  private RelayThroughput() {}

  public static void main(String[] args) throws Exception {
    String backend = args[0];
    int objects = Integer.parseInt(args[1]);
    int sizeMiB = Integer.parseInt(args[2]);
    int parallelism = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[4]);
    Path work = Path.of(args[5]);
    Files.createDirectories(work);
    Server server = Server.start(backend, work);
    try {
      Path source = work.resolve("source");
      Files.createDirectories(source);
      List<BlobKey> keys = new ArrayList<>();
      try (BlobStore t1 = BlobStores.open(source.toUri().toString())) {
        Random random = new Random(42);
        byte[] buf = new byte[sizeMiB << 20];
        for (int i = 0; i < objects; i++) {
          byte[] id = new byte[16];
          random.nextBytes(id);
          random.nextBytes(buf);
          String hex = HexFormat.of().formatHex(id);
          BlobKey k = BlobKey.of("packs/" + hex.substring(0, 2) + "/" + hex);
          t1.put(k, new java.io.ByteArrayInputStream(buf));
          keys.add(k);
        }
      }
      long bytes = (long) objects * (sizeMiB << 20);
      double[] raw = new double[rounds];
      double[] relay = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        boolean rawFirst = r % 2 == 0;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == rawFirst) {
            raw[r] = rawPuts(server, source, keys, parallelism, "raw-" + r);
            report(r, "raw  ", bytes, raw[r]);
          } else {
            relay[r] = relayDrain(server, work, source, parallelism, "relay-" + r);
            report(r, "relay", bytes, relay[r]);
          }
        }
      }
      double rawMedian = median(raw);
      double relayMedian = median(relay);
      System.out.printf(
          "%s: %d objects of %d MiB, %d at once, %d rounds: raw put median %.1f MiB/s, relay median"
              + " %.1f MiB/s, relay/raw %.2f%n",
          backend,
          objects,
          sizeMiB,
          parallelism,
          rounds,
          mibps(bytes, rawMedian),
          mibps(bytes, relayMedian),
          rawMedian / relayMedian);
    } finally {
      server.close();
    }
  }

  private static void report(int round, String what, long bytes, double seconds) {
    System.out.printf(
        "round %d %s %.2f s %.1f MiB/s%n", round + 1, what, seconds, mibps(bytes, seconds));
  }

  private static double mibps(long bytes, double seconds) {
    return bytes / 1048576.0 / seconds;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** The backend's own puts: every object read from Tier 1 and put, {@code parallelism} at once. */
  private static double rawPuts(
      Server server, Path source, List<BlobKey> keys, int parallelism, String prefix)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try (BlobStore t1 = BlobStores.open(source.toUri().toString());
        BlobStore t2 = server.open(prefix)) {
      long start = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (BlobKey k : keys) {
        done.add(
            pool.submit(
                () -> {
                  try (InputStream in = t1.get(k)) {
                    t2.put(k, in);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      return (System.nanoTime() - start) / 1e9;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * The relay started on a Tier 1 that holds the objects (a backlog, as after an outage or on a
   * first start): from its start until Tier 2 holds them all.
   */
  private static double relayDrain(
      Server server, Path work, Path source, int parallelism, String prefix) throws Exception {
    Path tier1Dir = work.resolve(prefix + "-tier1");
    copyTree(source, tier1Dir);
    try (BlobStore t1 = BlobStores.open(tier1Dir.toUri().toString())) {
      BlobStore t2 = server.open(prefix);
      long start = System.nanoTime();
      try (Relay relay =
          Relay.start(t1, tier1Dir, t2, new Tier2Settings("bench", parallelism, 0, 99))) {
        while (relay.outbox().size() > 0) {
          Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1e9;
      }
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.createLink(t, p); // the same bytes on the same disk, nothing copied
        }
      }
    }
  }

  /** The Tier 2 server of the run. */
  private interface Server extends AutoCloseable {
    BlobStore open(String prefix) throws Exception;

    @Override
    void close() throws Exception;

    static Server start(String backend, Path work) throws Exception {
      return backend.equals("s3") ? s3(work) : azure(work);
    }

    private static Server s3(Path work) throws Exception {
      Path dir = work.resolve("s3");
      Files.createDirectories(dir.resolve("bench"));
      ChildJvm proxy = ChildJvm.start(S3ProxyFsMain.class, 1024, dir.toString(), "0");
      String line;
      do {
        line = proxy.readLine();
      } while (line != null && !line.startsWith("PORT "));
      int port = Integer.parseInt(line.substring(5).trim());
      Path creds = work.resolve("s3-credentials");
      Files.writeString(
          creds,
          "aws_access_key_id = "
              + S3ProxyFsMain.ACCESS_KEY
              + "\naws_secret_access_key = "
              + S3ProxyFsMain.SECRET_KEY
              + "\n");
      return new Server() {
        @Override
        public BlobStore open(String prefix) throws Exception {
          return BlobStores.open(
              "s3://bench/"
                  + prefix
                  + "?region=us-east-1&pathStyle=true&endpoint=http://127.0.0.1:"
                  + port
                  + "&credentialsFile="
                  + creds);
        }

        @Override
        public void close() throws Exception {
          try (OutputStream ignored = proxy.process().getOutputStream()) {
            // closing its stdin stops it
          }
          proxy.close();
        }
      };
    }

    private static Server azure(Path work) throws Exception {
      Azurite azurite = Azurite.start();
      new BlobServiceClientBuilder()
          .connectionString(azurite.connectionString())
          .buildClient()
          .getBlobContainerClient("bench")
          .createIfNotExists();
      Path key = work.resolve("azure-key");
      Files.writeString(key, Azurite.KEY + "\n");
      return new Server() {
        @Override
        public BlobStore open(String prefix) throws Exception {
          return BlobStores.open(
              URI.create(
                  "azure://"
                      + Azurite.ACCOUNT
                      + "/bench/"
                      + prefix
                      + "?endpoint="
                      + azurite.blobEndpoint()),
              Map.of("account-key-file", key.toString()));
        }

        @Override
        public void close() {
          azurite.close();
        }
      };
    }
  }
}
