package io.klio.crypto;

import io.klio.api.error.PermanentException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;

/** A 256-bit key given as raw material (a file, a mounted Secret, an environment variable). */
final class RawKek implements Kek {

  static final byte SCHEME = 1;

  private final byte[] key;
  private final String description;

  RawKek(byte[] key, String description) {
    this.key = key.clone();
    this.description = description;
  }

  /** Reads 32 raw bytes, 64 hex digits or base64 of 32 bytes; the message never shows content. */
  static byte[] parseKey(byte[] content, String where) throws PermanentException {
    if (content.length == 32) {
      return content;
    }
    String text = new String(content, StandardCharsets.US_ASCII).strip();
    if (text.length() == 64 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return HexFormat.of().parseHex(text);
    }
    try {
      byte[] b = Base64.getDecoder().decode(text);
      if (b.length == 32) {
        return b;
      }
    } catch (IllegalArgumentException notBase64) {
      // fall through to the error
    }
    throw new PermanentException(
        where
            + " does not hold a 256-bit key ("
            + content.length
            + " bytes): expected 32 raw bytes, 64 hex digits or base64 of 32 bytes;"
            + " generate one with: klio keys generate-kek --out <file>");
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public byte[] wrap(byte[] plaintext, byte[] aad) throws IOException {
    try {
      byte[] ct = AesGcm.encrypt(key, plaintext, aad);
      return AesGcm.withScheme(SCHEME, ct);
    } catch (GeneralSecurityException e) {
      throw new PermanentException("could not wrap with " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws IOException {
    if (wrapped.length == 0 || wrapped[0] != SCHEME) {
      throw new WrongKeyException(
          "it was wrapped by another kind of key (scheme "
              + (wrapped.length == 0 ? "none" : wrapped[0])
              + "), not a raw 256-bit key");
    }
    return AesGcm.unwrapOrRefuse(key, wrapped, 1, aad, "the key from " + description);
  }

  @Override
  public String toString() {
    return "Kek[" + description + "]";
  }

  /** {@code file:/path}. */
  public static final class FileProvider implements KekProvider {
    @Override
    public String scheme() {
      return "file";
    }

    @Override
    public Kek open(String location) throws IOException {
      Path p = Keks.readableFile(location, "key file");
      return new RawKek(parseKey(Files.readAllBytes(p), "key file " + p), "key file " + p);
    }
  }

  /** {@code env:NAME}. */
  public static final class EnvProvider implements KekProvider {
    @Override
    public String scheme() {
      return "env";
    }

    @Override
    public Kek open(String name) throws IOException {
      String v = System.getenv(name);
      if (v == null || v.isEmpty()) {
        throw new PermanentException("environment variable " + name + " (the key) is not set");
      }
      String where = "environment variable " + name;
      return new RawKek(parseKey(v.getBytes(StandardCharsets.US_ASCII), where), where);
    }
  }
}
