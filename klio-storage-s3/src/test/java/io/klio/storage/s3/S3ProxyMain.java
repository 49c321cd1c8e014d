package io.klio.storage.s3;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

/**
 * Runs S3Proxy for {@link S3ProxyServer} in a JVM of its own: the in-memory {@code transient-nio2}
 * store on 127.0.0.1 and a free port, which it prints as {@code PORT <n>}; it stops when its
 * standard input closes (the test JVM ended, however it ended).
 */
public final class S3ProxyMain {

  private S3ProxyMain() {}

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("jclouds.identity", S3ProxyServer.ACCESS_KEY);
    p.setProperty("jclouds.credential", S3ProxyServer.SECRET_KEY);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(BlobStores.create("transient-nio2", p))
            .awsAuthentication(
                AuthenticationType.AWS_V2_OR_V4, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
            .endpoint(URI.create("http://127.0.0.1:0"))
            // the SDK's multipart requests carry headers S3Proxy does not know
            .ignoreUnknownHeaders(true)
            .stopTimeout(0)
            .build();
    proxy.start(); // returns once Jetty listens
    System.out.println("PORT " + proxy.getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to go away
    }
    proxy.stop();
    System.exit(0);
  }
}
