package io.klio.walstream;

import io.klio.api.error.PermanentException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.text.Normalizer;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677), as PostgreSQL uses
 * it: the user name is sent empty (the server takes it from the startup packet), channel binding is
 * {@code tls-server-end-point}. One instance per authentication exchange.
 */
final class ScramSha256 {

  private static final int MIN_ITERATIONS = 1;
  private static final int MAX_ITERATIONS = 10_000_000;

  private final String username;
  private final String password;
  private final String gs2Header;
  private final byte[] channelBindingData;
  private final String clientNonce;
  private String clientFirstBare;
  private byte[] expectedServerSignature;

  /**
   * @param gs2Header {@code n,,} (no channel binding), {@code y,,} (client could, server did not
   *     offer) or {@code p=tls-server-end-point,,}
   * @param channelBindingData the certificate hash for {@code p=}, else empty
   */
  ScramSha256(String password, String gs2Header, byte[] channelBindingData) {
    this("", password, gs2Header, channelBindingData, randomNonce());
  }

  /** With a user name in the message (PostgreSQL ignores it; RFC test vectors have one). */
  ScramSha256(
      String username, String password, String gs2Header, byte[] channelBindingData, String nonce) {
    this.username = username;
    this.password = password;
    this.gs2Header = gs2Header;
    this.channelBindingData = channelBindingData;
    this.clientNonce = nonce;
  }

  private static String randomNonce() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  byte[] clientFirstMessage() {
    clientFirstBare = "n=" + username + ",r=" + clientNonce;
    return (gs2Header + clientFirstBare).getBytes(StandardCharsets.UTF_8);
  }

  byte[] clientFinalMessage(byte[] serverFirstBytes) throws PermanentException {
    String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
    String nonce = attribute(serverFirst, 'r');
    String salt = attribute(serverFirst, 's');
    int iterations;
    try {
      iterations = Integer.parseInt(attribute(serverFirst, 'i'));
    } catch (NumberFormatException e) {
      throw new PermanentException("SCRAM: invalid iteration count from the server", e);
    }
    if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
      throw new PermanentException("SCRAM: the server's nonce does not extend ours; refusing");
    }
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new PermanentException("SCRAM: refusing iteration count " + iterations);
    }
    byte[] cbind = concat(gs2Header.getBytes(StandardCharsets.UTF_8), channelBindingData);
    String withoutProof = "c=" + Base64.getEncoder().encodeToString(cbind) + ",r=" + nonce;
    String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    try {
      byte[] salted = hi(saslPrep(password), Base64.getDecoder().decode(salt), iterations);
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      byte[] clientSignature = hmac(storedKey, authMessage);
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) {
        proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
      }
      expectedServerSignature = hmac(hmac(salted, "Server Key"), authMessage);
      return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
          .getBytes(StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new PermanentException("SCRAM: " + e.getMessage(), e);
    }
  }

  /** Checks the server's proof that it knows the password too. */
  void verifyServerFinal(byte[] serverFinalBytes) throws PermanentException {
    String serverFinal = new String(serverFinalBytes, StandardCharsets.UTF_8);
    if (serverFinal.startsWith("e=")) {
      throw new PermanentException("SCRAM: the server reported " + serverFinal.substring(2));
    }
    byte[] v = Base64.getDecoder().decode(attribute(serverFinal, 'v'));
    if (expectedServerSignature == null || !MessageDigest.isEqual(v, expectedServerSignature)) {
      throw new PermanentException(
          "SCRAM: the server's signature is wrong: it does not know the password;"
              + " this is not the server you meant to reach");
    }
  }

  /** The tls-server-end-point binding data: the certificate's hash (SHA-256 for MD5/SHA-1). */
  static byte[] tlsServerEndPoint(X509Certificate cert) throws PermanentException {
    String alg = cert.getSigAlgName().toUpperCase(Locale.ROOT);
    String digest =
        alg.startsWith("SHA384") ? "SHA-384" : alg.startsWith("SHA512") ? "SHA-512" : "SHA-256";
    try {
      return MessageDigest.getInstance(digest).digest(cert.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new PermanentException("SCRAM channel binding: " + e.getMessage(), e);
    }
  }

  private static String attribute(String message, char name) throws PermanentException {
    for (String part : message.split(",")) {
      if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
        return part.substring(2);
      }
    }
    throw new PermanentException("SCRAM: the server message lacks attribute '" + name + "'");
  }

  /**
   * SASLprep as libpq applies it: ASCII passwords are used as they are; others are mapped
   * (non-ASCII spaces to space, soft hyphens and zero-width characters removed) and
   * NFKC-normalized.
   */
  static String saslPrep(String s) {
    boolean ascii = s.chars().allMatch(c -> c < 0x80);
    if (ascii) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    s.codePoints()
        .forEach(
            cp -> {
              if (Character.isSpaceChar(cp) && cp != ' ') {
                sb.append(' ');
              } else if (cp != 0x00AD
                  && cp != 0x200B
                  && cp != 0x2060
                  && cp != 0xFEFF
                  && cp != 0x180E) {
                sb.appendCodePoint(cp);
              }
            });
    return Normalizer.normalize(sb, Normalizer.Form.NFKC);
  }

  private static byte[] hi(String password, byte[] salt, int iterations)
      throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
    return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
  }

  private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Override
  public String toString() {
    return "ScramSha256[" + gs2Header + "]";
  }
}
