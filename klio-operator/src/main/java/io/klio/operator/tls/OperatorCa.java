package io.klio.operator.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The CA the operator keeps for one Klio server, in a Secret: it issues the server's certificate
 * (DNS names of its Service) and, as the server's {@code tls.clientCa}, the certificates of its
 * clients. EC P-256 keys in PKCS#8 PEM, certificates in PEM. Immutable and thread-safe.
 *
 * <p>The same shape as the server's {@code klio tls} CA, kept here so that the operator does not
 * depend on the server distribution.
 */
public final class OperatorCa {

  /** How long a CA made here is valid. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /** How long a server certificate made here is valid. */
  public static final Duration SERVER_VALIDITY = Duration.ofDays(365);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  private OperatorCa(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** A certificate and its private key, as PEM text. */
  public record Issued(String certificatePem, String keyPem) {}

  /** A new CA named {@code CN=<commonName>}, valid for {@link #CA_VALIDITY}. */
  public static OperatorCa create(String commonName) {
    KeyPair keys = keyPair();
    X500Name name = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            serial(),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(CA_VALIDITY)),
            name,
            keys.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new OperatorCa(sign(b, keys.getPrivate()), keys.getPrivate());
  }

  /**
   * The CA kept as PEM text (as {@link #certificatePem} and {@link #keyPem} wrote them).
   *
   * @throws IllegalArgumentException when the text is not a PEM certificate and PKCS#8 EC key
   */
  public static OperatorCa load(String certificatePem, String keyPem) {
    try {
      byte[] der = Base64.getMimeDecoder().decode(between(keyPem, "PRIVATE KEY"));
      PrivateKey k = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      return new OperatorCa(parse(certificatePem), k);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the CA key: " + e.getMessage(), e);
    }
  }

  /** The CA certificate as PEM. */
  public String certificatePem() {
    return pem(certificate);
  }

  /** The CA key as PKCS#8 PEM. */
  public String keyPem() {
    return pkcs8(key);
  }

  /** When the CA certificate expires. */
  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** A server certificate for the DNS names given (the first is its CN), valid for a year. */
  public Issued issueServer(List<String> dnsNames) {
    return issue(
        dnsNames.get(0),
        dnsNames,
        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
  }

  /**
   * A client certificate whose subject CN is {@code commonName} (for a Klio server: the one cluster
   * it may act for), valid for a year.
   */
  public Issued issueClient(String commonName) {
    return issue(commonName, List.of(), new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth});
  }

  private Issued issue(String commonName, List<String> dnsNames, KeyPurposeId[] purposes) {
    KeyPair keys = keyPair();
    Instant now = Instant.now();
    Instant end = now.plus(SERVER_VALIDITY);
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            certificate,
            serial(),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(end.isAfter(notAfter()) ? notAfter() : end),
            new X500Name("CN=" + commonName),
            keys.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
      if (!dnsNames.isEmpty()) {
        GeneralName[] san =
            dnsNames.stream()
                .map(n -> new GeneralName(GeneralName.dNSName, n))
                .toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Issued(pem(sign(b, key)), pkcs8(keys.getPrivate()));
  }

  /** The certificate of a PEM text, to check its issuer, names and expiry. */
  public static X509Certificate parse(String certificatePem) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(
                  new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** Whether {@code cert} was signed by this CA. */
  public boolean issued(X509Certificate cert) {
    try {
      cert.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this Java runtime cannot make EC P-256 keys", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("could not sign a certificate", e);
    }
  }

  private static String between(String pem, String type) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b) {
      throw new IllegalArgumentException("no " + begin + " block");
    }
    return pem.substring(b + begin.length(), e);
  }

  /** DER as a PEM block of {@code type}, in lines of 64 characters. */
  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static String pem(X509Certificate c) {
    try {
      return pem("CERTIFICATE", c.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JDK encodes an EC private key as PKCS#8 DER. */
  private static String pkcs8(PrivateKey k) {
    return pem("PRIVATE KEY", k.getEncoded());
  }
}
