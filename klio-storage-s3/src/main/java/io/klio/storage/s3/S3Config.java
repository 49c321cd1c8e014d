package io.klio.storage.s3;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * What an {@code s3:} URI and its options say, checked: {@code s3://bucket/prefix?option=value&…}.
 * Options may come in the URI's query or in the options map (not both for one name). The options
 * are listed in {@code docs/storage-backends.md}.
 */
record S3Config(
    String bucket,
    String prefix,
    Optional<String> region,
    Optional<URI> endpoint,
    boolean pathStyle,
    Credentials credentials,
    Sse sse,
    Optional<String> kmsKeyId,
    Optional<String> storageClass,
    boolean conditionalPut,
    boolean verifyReads,
    int partSize,
    int uploadThreads,
    int uploadBuffers,
    int maxAttempts) {

  static final String REGION = "region";
  static final String ENDPOINT = "endpoint";
  static final String PATH_STYLE = "pathStyle";
  static final String CREDENTIALS = "credentials";
  static final String CREDENTIALS_FILE = "credentialsFile";
  static final String PROFILE = "profile";
  static final String SSE = "sse";
  static final String KMS_KEY_ID = "kmsKeyId";
  static final String STORAGE_CLASS = "storageClass";
  static final String CONDITIONAL_PUT = "conditionalPut";
  static final String VERIFY_READS = "verifyReads";
  static final String PART_SIZE = "partSize";
  static final String UPLOAD_THREADS = "uploadThreads";
  static final String UPLOAD_BUFFERS = "uploadBuffers";
  static final String MAX_ATTEMPTS = "maxAttempts";

  static final Set<String> NAMES =
      Set.of(
          REGION,
          ENDPOINT,
          PATH_STYLE,
          CREDENTIALS,
          CREDENTIALS_FILE,
          PROFILE,
          SSE,
          KMS_KEY_ID,
          STORAGE_CLASS,
          CONDITIONAL_PUT,
          VERIFY_READS,
          PART_SIZE,
          UPLOAD_THREADS,
          UPLOAD_BUFFERS,
          MAX_ATTEMPTS);

  /** S3's smallest part (all but the last) and largest part. */
  static final long MIN_PART = 5L << 20;

  static final long MAX_PART = 1L << 30; // a part is one byte[]; S3 itself allows 5 GiB

  static final int DEFAULT_PART = 8 << 20;

  private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9._-]{1,255}");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|KiB|MiB|GiB)");

  /** Where the credentials come from. */
  record Credentials(Mode mode, Optional<Path> file, Optional<String> profile) {
    enum Mode {
      DEFAULT_CHAIN,
      FILE,
      ANONYMOUS
    }

    /** For messages: where the credentials were looked for. Never the keys themselves. */
    String describe() {
      return switch (mode) {
        case FILE -> "the credentials file " + file.orElseThrow();
        case ANONYMOUS -> "anonymous access (credentials=anonymous)";
        case DEFAULT_CHAIN ->
            "the AWS default credential chain"
                + profile.map(p -> " with profile '" + p + "'").orElse("");
      };
    }
  }

  /** Server-side encryption asked for on every write. */
  enum Sse {
    NONE,
    S3,
    KMS
  }

  /** The store's URI for messages: scheme, bucket and prefix, no options. */
  String location() {
    return "s3://" + bucket + "/" + prefix;
  }

  static S3Config parse(URI uri, Map<String, String> given) throws PermanentException {
    String bucket = uri.getRawAuthority();
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw new PermanentException(
          "S3 storage URI '" + uri + "' needs a bucket: write it as s3://bucket/optional/prefix");
    }
    Map<String, String> o = merge(uri, given);
    String prefix = prefix(uri);
    Optional<URI> endpoint =
        o.containsKey(ENDPOINT) ? Optional.of(endpoint(uri, o.get(ENDPOINT))) : Optional.empty();
    Credentials credentials = credentials(o);
    Sse sse = sse(o.getOrDefault(SSE, "none"));
    Optional<String> kmsKeyId = Optional.ofNullable(o.get(KMS_KEY_ID));
    if (kmsKeyId.isPresent() && sse != Sse.KMS) {
      throw new PermanentException(
          "option " + KMS_KEY_ID + " for " + uri + " needs " + SSE + "=kms, not sse=" + o.get(SSE));
    }
    Optional<String> storageClass = Optional.ofNullable(o.get(STORAGE_CLASS));
    if (storageClass.isPresent()
        && StorageClass.fromValue(storageClass.get()) == StorageClass.UNKNOWN_TO_SDK_VERSION) {
      throw new PermanentException(
          "option "
              + STORAGE_CLASS
              + "='"
              + storageClass.get()
              + "' for "
              + uri
              + " is not an S3 storage class; use one of "
              + StorageClass.knownValues());
    }
    int partSize = (int) size(o, PART_SIZE, DEFAULT_PART, MIN_PART, MAX_PART);
    int threads = (int) number(o, UPLOAD_THREADS, 4, 1, 256);
    int buffers = (int) number(o, UPLOAD_BUFFERS, 2L * threads, 1, 4096);
    int attempts = (int) number(o, MAX_ATTEMPTS, 3, 1, 100);
    return new S3Config(
        bucket,
        prefix,
        Optional.ofNullable(o.get(REGION)),
        endpoint,
        bool(o, PATH_STYLE, endpoint.isPresent()),
        credentials,
        sse,
        kmsKeyId,
        storageClass,
        bool(o, CONDITIONAL_PUT, true),
        bool(o, VERIFY_READS, true),
        partSize,
        threads,
        buffers,
        attempts);
  }

  private static Map<String, String> merge(URI uri, Map<String, String> given)
      throws PermanentException {
    Map<String, String> o = new HashMap<>(given);
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (!NAMES.contains(name)) {
          throw new PermanentException(
              "unknown option '"
                  + name
                  + "' in "
                  + uri
                  + "; it understands "
                  + new TreeSet<>(NAMES));
        }
        if (o.putIfAbsent(name, value) != null) {
          throw new PermanentException(
              "option '" + name + "' for " + uri + " is given twice (in the URI and as an option)");
        }
      }
    }
    return o;
  }

  private static String prefix(URI uri) throws PermanentException {
    String path = uri.getPath() == null ? "" : uri.getPath();
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.isEmpty()) {
      return "";
    }
    try {
      return BlobKey.of(path).value() + "/";
    } catch (IllegalArgumentException e) {
      throw new PermanentException("the prefix in S3 storage URI '" + uri + "': " + e.getMessage());
    }
  }

  private static URI endpoint(URI uri, String value) throws PermanentException {
    URI e;
    try {
      e = new URI(value);
    } catch (java.net.URISyntaxException x) {
      e = null;
    }
    if (e == null
        || e.getScheme() == null
        || !(e.getScheme().equals("http") || e.getScheme().equals("https"))
        || e.getHost() == null) {
      throw new PermanentException(
          "option " + ENDPOINT + "='" + value + "' for " + uri + ": write http(s)://host[:port]");
    }
    return e;
  }

  private static Credentials credentials(Map<String, String> o) throws PermanentException {
    String mode = o.getOrDefault(CREDENTIALS, o.containsKey(CREDENTIALS_FILE) ? "file" : "default");
    Optional<Path> file = Optional.ofNullable(o.get(CREDENTIALS_FILE)).map(Path::of);
    Optional<String> profile = Optional.ofNullable(o.get(PROFILE));
    Credentials.Mode m =
        switch (mode) {
          case "default" -> Credentials.Mode.DEFAULT_CHAIN;
          case "file" -> Credentials.Mode.FILE;
          case "anonymous" -> Credentials.Mode.ANONYMOUS;
          default ->
              throw new PermanentException(
                  "option " + CREDENTIALS + "='" + mode + "': use default, file or anonymous");
        };
    if ((m == Credentials.Mode.FILE) != file.isPresent()) {
      throw new PermanentException(
          "option "
              + CREDENTIALS_FILE
              + " goes with "
              + CREDENTIALS
              + "=file (the default when "
              + CREDENTIALS_FILE
              + " is given), and only with it");
    }
    if (profile.isPresent() && m != Credentials.Mode.DEFAULT_CHAIN) {
      throw new PermanentException(
          "option "
              + PROFILE
              + " chooses a profile of the default credential chain; it does not"
              + " go with "
              + CREDENTIALS
              + "="
              + mode);
    }
    return new Credentials(m, file, profile);
  }

  private static Sse sse(String value) throws PermanentException {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "none" -> Sse.NONE;
      case "s3", "aes256" -> Sse.S3;
      case "kms", "aws:kms" -> Sse.KMS;
      default ->
          throw new PermanentException(
              "option " + SSE + "='" + value + "': use none, s3 (SSE-S3) or kms (SSE-KMS)");
    };
  }

  private static boolean bool(Map<String, String> o, String name, boolean dflt)
      throws PermanentException {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new PermanentException("option " + name + "='" + v + "': use true or false");
    };
  }

  private static long number(Map<String, String> o, String name, long dflt, long min, long max)
      throws PermanentException {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new PermanentException("option " + name + "='" + v + "' is not a number");
    }
    if (n < min || n > max) {
      throw new PermanentException(
          "option " + name + "=" + n + " is out of range: " + min + " to " + max);
    }
    return n;
  }

  private static long size(Map<String, String> o, String name, long dflt, long min, long max)
      throws PermanentException {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    var m = SIZE.matcher(v.trim());
    if (!m.matches()) {
      throw new PermanentException(
          "option " + name + "='" + v + "': write bytes, or a number with KiB, MiB or GiB");
    }
    int shift =
        switch (m.group(2)) {
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          default -> 0;
        };
    long n;
    try {
      n = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
    } catch (ArithmeticException | NumberFormatException e) {
      n = Long.MAX_VALUE;
    }
    if (n < min || n > max) {
      throw new PermanentException(
          "option "
              + name
              + "='"
              + v
              + "' is out of range: "
              + (min >> 20)
              + " MiB (S3's smallest part) to "
              + (max >> 20)
              + " MiB");
    }
    return n;
  }
}
