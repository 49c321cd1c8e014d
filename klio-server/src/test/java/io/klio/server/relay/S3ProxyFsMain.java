package io.klio.server.relay;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

/**
 * S3Proxy in a JVM of its own, for tests that kill it: its on-disk store ({@code filesystem-nio2})
 * under {@code args[0]}, so what it held survives a kill, on 127.0.0.1 and port {@code args[1]} (0:
 * any free port), which it prints as {@code PORT <n>}; it stops when its standard input closes.
 * Buckets are directories of the base directory.
 */
public final class S3ProxyFsMain {

  public static final String ACCESS_KEY = "klio-relay-access";
  public static final String SECRET_KEY = "klio-relay-secret-that-is-long-enough";

  private S3ProxyFsMain() {}

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("jclouds.identity", ACCESS_KEY);
    p.setProperty("jclouds.credential", SECRET_KEY);
    p.setProperty("jclouds.filesystem.basedir", args[0]);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(org.gaul.s3proxy.BlobStores.create("filesystem-nio2", p))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .endpoint(URI.create("http://127.0.0.1:" + args[1]))
            .ignoreUnknownHeaders(true)
            .stopTimeout(0)
            .build();
    proxy.start();
    System.out.println("PORT " + proxy.getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to go away
    }
    proxy.stop();
    System.exit(0);
  }
}
