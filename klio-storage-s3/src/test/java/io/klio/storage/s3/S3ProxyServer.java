package io.klio.storage.s3;

import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3Proxy for the test JVM, on 127.0.0.1 and a free port, checking AWS signatures against
 * {@link #ACCESS_KEY}/{@link #SECRET_KEY}. It runs in a JVM of its own ({@link S3ProxyMain}) with
 * the in-memory {@code transient-nio2} store: S3Proxy's on-disk store cannot hold a key segment of
 * the 255 characters the contract uses (its temporary file adds 37 to the name), and an in-memory
 * store inside this JVM would defeat the contract's bounded-heap test. Started on first use, it
 * stops when this JVM exits.
 */
final class S3ProxyServer {

  static final String ACCESS_KEY = "klio-test-access";
  static final String SECRET_KEY = "klio-test-secret-that-is-long-enough";

  private static S3ProxyServer shared;

  private final Process process;
  private final Path dir;
  private final URI endpoint;
  private final Path credentialsFile;
  private final S3Client admin;

  private S3ProxyServer() throws Exception {
    Path target = Path.of("target").toAbsolutePath();
    Files.createDirectories(target);
    dir = Files.createTempDirectory(target, "s3proxy-");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    process =
        new ProcessBuilder(List.of(java, "-Xmx1g", "-cp", classPath, S3ProxyMain.class.getName()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line; // S3Proxy prints its port once it listens, or the process ends
    do {
      line = out.readLine();
    } while (line != null && !line.startsWith("PORT "));
    if (line == null) {
      process.destroyForcibly();
      throw new IllegalStateException("S3Proxy did not start (see its output above)");
    }
    endpoint = URI.create("http://127.0.0.1:" + Integer.parseInt(line.substring(5).trim()));
    credentialsFile = credentials(ACCESS_KEY, SECRET_KEY);
    admin =
        S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .build();
  }

  static synchronized S3ProxyServer shared() throws Exception {
    if (shared == null) {
      shared = new S3ProxyServer();
    }
    return shared;
  }

  URI endpoint() {
    return endpoint;
  }

  /** A client of the server for setting up and inspecting, beside the store under test. */
  S3Client admin() {
    return admin;
  }

  /** Creates the bucket unless it exists. */
  void bucket(String name) {
    if (admin.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(name))) {
      admin.createBucket(b -> b.bucket(name));
    }
  }

  /** A credentials file with these keys. */
  Path credentials(String access, String secret) throws IOException {
    Path f = Files.createTempFile(dir, "credentials-", "");
    Files.writeString(
        f,
        "[default]\naws_access_key_id = " + access + "\naws_secret_access_key = " + secret + "\n",
        StandardCharsets.UTF_8);
    return f;
  }

  /** Opens {@code s3://bucket/prefix} on this server, through ServiceLoader, with the keys. */
  BlobStore open(String bucketAndPrefix, Map<String, String> options) throws IOException {
    Map<String, String> o = new HashMap<>(options);
    if (!o.containsKey("credentials")) {
      o.putIfAbsent("credentialsFile", credentialsFile.toString());
    }
    return BlobStores.open(
        URI.create("s3://" + bucketAndPrefix + "?endpoint=" + endpoint + "&region=us-east-1"), o);
  }

  private void stop() {
    if (admin != null) {
      admin.close();
    }
    try {
      process.getOutputStream().close(); // S3ProxyMain stops when its input ends
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }
}
