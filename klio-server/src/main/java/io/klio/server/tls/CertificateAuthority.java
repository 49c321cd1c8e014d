package io.klio.server.tls;

import io.klio.api.ClusterName;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A small certificate authority for a Klio server and its clients: it issues the server a
 * certificate for its DNS names and IP addresses, and each client one whose subject is exactly
 * {@code CN=<cluster>}, the identity the server reads from a client certificate (the first CN of
 * the subject) and the one cluster that client may act for. Keys are EC P-256, written as PKCS#8
 * PEM (what {@code tls.key} takes); certificates are PEM. Immutable and thread-safe.
 */
public final class CertificateAuthority {

  /** How long a CA made by {@link #create} is valid. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** A certificate and its private key, each as PEM text. */
  public record Issued(String certificatePem, String keyPem) {}

  /**
   * A new CA valid for {@link #CA_VALIDITY}; its name carries a random suffix, so that two CAs
   * never share a subject.
   */
  public static CertificateAuthority create() {
    KeyPair keys = newKeyPair();
    byte[] suffix = new byte[4];
    RANDOM.nextBytes(suffix);
    X500Name name = commonName("Klio CA " + HexFormat.of().formatHex(suffix));
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            serial(),
            notBefore(now),
            Date.from(now.plus(CA_VALIDITY)),
            name,
            keys.getPublic());
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not build the CA certificate", e);
    }
    return new CertificateAuthority(sign(b, keys.getPrivate()), keys.getPrivate());
  }

  /**
   * The CA whose certificate and PKCS#8 key are given as PEM text (as {@link #certificatePem} and
   * {@link #keyPem} wrote them).
   *
   * @throws IllegalArgumentException when either is not such PEM, the certificate is not a CA's, or
   *     the key is not the certificate's
   */
  public static CertificateAuthority load(String certificatePem, String keyPem) {
    Object cert = readPem(certificatePem, "the CA certificate");
    Object key = readPem(keyPem, "the CA key");
    if (!(cert instanceof X509CertificateHolder holder)) {
      throw new IllegalArgumentException("the CA certificate is not a PEM certificate");
    }
    if (!(key instanceof PrivateKeyInfo info)) {
      throw new IllegalArgumentException("the CA key is not a PKCS#8 PEM private key");
    }
    try {
      X509Certificate c = new JcaX509CertificateConverter().getCertificate(holder);
      PrivateKey k = new JcaPEMKeyConverter().getPrivateKey(info);
      if (c.getBasicConstraints() < 0) {
        throw new IllegalArgumentException("the certificate is not a CA's (basicConstraints)");
      }
      if (!matches(c, k)) {
        throw new IllegalArgumentException("the key does not belong to the CA certificate");
      }
      return new CertificateAuthority(c, k);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot read the CA: " + e.getMessage(), e);
    }
  }

  /** The CA certificate as PEM. */
  public String certificatePem() {
    return pem(certificate);
  }

  /** The CA's private key as PKCS#8 PEM. */
  public String keyPem() {
    return pkcs8(key);
  }

  /** When the CA certificate expires. */
  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /**
   * A server certificate whose subject alternative names are {@code names}: IP addresses (IPv4 or
   * IPv6) as IP entries, everything else as DNS names. Its CN is the first name.
   *
   * @throws IllegalArgumentException when there is no name or one is neither an IP address nor a
   *     DNS name (a leading {@code *.} is allowed)
   */
  public Issued issueServer(List<String> names, Duration validity) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one name");
    }
    List<GeneralName> san = new ArrayList<>();
    for (String n : names) {
      san.add(subjectAltName(n));
    }
    return issue(
        commonName(names.get(0)),
        validity,
        KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(san.toArray(GeneralName[]::new)));
  }

  /**
   * A client certificate for {@code cluster}: its subject is {@code CN=<cluster>} and nothing else,
   * which the server takes as the one cluster the client may act for (or, listed in the server's
   * {@code admins}, as an administrator's name).
   */
  public Issued issueClient(ClusterName cluster, Duration validity) {
    return issue(commonName(cluster.value()), validity, KeyPurposeId.id_kp_clientAuth, null);
  }

  /** The subject alternative name for one server name; see {@link #issueServer}. */
  static GeneralName subjectAltName(String name) {
    String n = name.strip();
    String ip = n.startsWith("[") && n.endsWith("]") ? n.substring(1, n.length() - 1) : n;
    if (IPAddress.isValid(ip)) {
      return new GeneralName(GeneralName.iPAddress, ip);
    }
    String dns = n.toLowerCase(Locale.ROOT);
    String rest = dns.startsWith("*.") ? dns.substring(2) : dns;
    boolean valid = !rest.isEmpty() && rest.length() <= 253;
    for (String label : rest.split("\\.", -1)) {
      valid &= DNS_LABEL.matcher(label).matches();
    }
    if (!valid) {
      throw new IllegalArgumentException(
          "'" + name + "' is neither an IP address nor a DNS name (such as klio.backup.svc)");
    }
    return new GeneralName(GeneralName.dNSName, dns);
  }

  private Issued issue(
      X500Name subject, Duration validity, KeyPurposeId purpose, GeneralNames san) {
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("the validity must be positive, not " + validity);
    }
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    Instant end = now.plus(validity);
    if (end.isAfter(notAfter())) {
      end = notAfter(); // a certificate cannot outlive the CA that signed it
    }
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            certificate, serial(), notBefore(now), Date.from(end), subject, keys.getPublic());
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      if (san != null) {
        b.addExtension(Extension.subjectAlternativeName, false, san);
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not build a certificate for " + subject, e);
    }
    return new Issued(pem(sign(b, key)), pkcs8(keys.getPrivate()));
  }

  private static X500Name commonName(String cn) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE); // positive, at most 16 bytes
  }

  /** An hour back: a clock a little behind ours still accepts a certificate made just now. */
  private static Date notBefore(Instant now) {
    return Date.from(now.minus(Duration.ofHours(1)));
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this Java runtime cannot make EC P-256 keys", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) {
    try {
      X509CertificateHolder holder =
          b.build(new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer));
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("could not sign a certificate", e);
    }
  }

  /** Whether {@code key} signs what {@code cert}'s public key verifies. */
  private static boolean matches(X509Certificate cert, PrivateKey key)
      throws GeneralSecurityException {
    byte[] probe = new byte[32];
    RANDOM.nextBytes(probe);
    java.security.Signature s = java.security.Signature.getInstance(signatureAlgorithm(key));
    s.initSign(key);
    s.update(probe);
    byte[] signature = s.sign();
    s.initVerify(cert.getPublicKey());
    s.update(probe);
    return s.verify(signature);
  }

  /** SHA-256 with the key's algorithm: ECDSA for the CAs made here, RSA for one brought along. */
  private static String signatureAlgorithm(PrivateKey key) {
    return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
  }

  private static Object readPem(String text, String what) {
    try (PEMParser p = new PEMParser(new StringReader(text))) {
      Object o = p.readObject();
      if (o == null) {
        throw new IllegalArgumentException(what + " holds no PEM block");
      }
      return o;
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " is not valid PEM: " + e.getMessage(), e);
    }
  }

  private static String pkcs8(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(Object o) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
