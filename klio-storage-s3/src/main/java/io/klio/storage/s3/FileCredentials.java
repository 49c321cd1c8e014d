package io.klio.storage.s3;

import io.klio.api.error.PermanentException;
import io.klio.storage.s3.S3Errors.MissingCredentialsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * Static keys read from a file: lines {@code aws_access_key_id = …}, {@code aws_secret_access_key =
 * …} and optionally {@code aws_session_token = …}; {@code #} and {@code ;} start comments and a
 * {@code [section]} line is ignored, so a one-profile AWS credentials file works as it is. The file
 * is read again when its modification time changes (a rotated Kubernetes Secret), looked at no more
 * than once every {@value #RECHECK_SECONDS} seconds. Thread-safe.
 */
final class FileCredentials implements AwsCredentialsProvider {

  static final int RECHECK_SECONDS = 10;

  private record Loaded(AwsCredentials credentials, FileTime modified, long checkedAt) {}

  private final Path file;
  private final long recheckNanos;
  private volatile Loaded loaded;

  private FileCredentials(Path file, Loaded loaded, long recheckNanos) {
    this.file = file;
    this.loaded = loaded;
    this.recheckNanos = recheckNanos;
  }

  /** Reads the file once, so that a missing or incomplete file fails when the store opens. */
  static FileCredentials open(Path file, String store) throws PermanentException {
    return open(file, store, RECHECK_SECONDS * 1_000_000_000L);
  }

  static FileCredentials open(Path file, String store, long recheckNanos)
      throws PermanentException {
    try {
      return new FileCredentials(file, load(file), recheckNanos);
    } catch (MissingCredentialsException e) {
      throw new PermanentException("cannot open " + store + ": " + e.getMessage(), e);
    }
  }

  @Override
  public AwsCredentials resolveCredentials() {
    Loaded l = loaded;
    long now = System.nanoTime();
    if (now - l.checkedAt() < recheckNanos) {
      return l.credentials();
    }
    synchronized (this) {
      l = loaded;
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        l =
            modified.equals(l.modified())
                ? new Loaded(l.credentials(), l.modified(), now)
                : load(file);
      } catch (IOException e) {
        throw new MissingCredentialsException(
            "the credentials file " + file + " cannot be read: " + e, e);
      }
      loaded = l;
      return l.credentials();
    }
  }

  private static Loaded load(Path file) {
    Map<String, String> values = new HashMap<>();
    FileTime modified;
    try {
      modified = Files.getLastModifiedTime(file);
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#") || t.startsWith(";") || t.startsWith("[")) {
          continue;
        }
        int eq = t.indexOf('=');
        if (eq < 0) {
          throw new MissingCredentialsException(
              "the credentials file " + file + " has a line that is not name = value", null);
        }
        values.put(
            t.substring(0, eq).strip().toLowerCase(Locale.ROOT), t.substring(eq + 1).strip());
      }
    } catch (IOException e) {
      throw new MissingCredentialsException(
          "the credentials file " + file + " cannot be read: " + e, e);
    }
    String id = values.get("aws_access_key_id");
    String secret = values.get("aws_secret_access_key");
    if (id == null || id.isEmpty() || secret == null || secret.isEmpty()) {
      throw new MissingCredentialsException(
          "the credentials file "
              + file
              + " needs both aws_access_key_id and aws_secret_access_key lines",
          null);
    }
    String token = values.get("aws_session_token");
    AwsCredentials c =
        token == null || token.isEmpty()
            ? AwsBasicCredentials.create(id, secret)
            : AwsSessionCredentials.create(id, secret, token);
    return new Loaded(c, modified, System.nanoTime());
  }

  @Override
  public String toString() {
    return "FileCredentials(" + file + ")";
  }
}
