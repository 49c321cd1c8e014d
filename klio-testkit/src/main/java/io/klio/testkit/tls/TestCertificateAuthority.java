package io.klio.testkit.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemGenerationException;

/**
 * A certificate authority made at run time for tests: it issues server certificates (with DNS and
 * IP subject alternative names) and client certificates (the common name is the identity), written
 * as PEM files. Keys are EC P-256. Not for production use.
 */
public final class TestCertificateAuthority {

  private final KeyPair caKeys;
  private final X509Certificate caCert;
  private final SecureRandom random = new SecureRandom();

  private TestCertificateAuthority(KeyPair caKeys, X509Certificate caCert) {
    this.caKeys = caKeys;
    this.caCert = caCert;
  }

  /** A new CA whose certificate has the given common name and is valid for a day. */
  public static TestCertificateAuthority create(String commonName) {
    try {
      KeyPair keys = newKeyPair();
      X500Name name = new X500Name("CN=" + commonName);
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              BigInteger.valueOf(now.toEpochMilli()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(1))),
              name,
              keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new TestCertificateAuthority(keys, sign(b, keys));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("could not create a test CA", e);
    }
  }

  /** The CA certificate. */
  public X509Certificate certificate() {
    return caCert;
  }

  /** Writes the CA certificate as PEM. */
  public Path writeCertificate(Path file) {
    return write(file, pem(caCert));
  }

  /**
   * Issues a server certificate for {@code commonName} with the given DNS names and IP addresses as
   * subject alternative names.
   */
  public Issued issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses) {
    List<GeneralName> san = new ArrayList<>();
    dnsNames.forEach(d -> san.add(new GeneralName(GeneralName.dNSName, d)));
    ipAddresses.forEach(ip -> san.add(new GeneralName(GeneralName.iPAddress, ip)));
    return issue(commonName, san, KeyPurposeId.id_kp_serverAuth);
  }

  /** Issues a client certificate whose common name is {@code commonName}. */
  public Issued issueClient(String commonName) {
    return issue(commonName, List.of(), KeyPurposeId.id_kp_clientAuth);
  }

  private Issued issue(String cn, List<GeneralName> san, KeyPurposeId purpose) {
    try {
      KeyPair keys = newKeyPair();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              caCert,
              new BigInteger(64, random),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(1))),
              new X500Name("CN=" + cn),
              keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      if (!san.isEmpty()) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(san.toArray(GeneralName[]::new)));
      }
      return new Issued(sign(b, caKeys), keys);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("could not issue a test certificate for " + cn, e);
    }
  }

  /** A certificate and its key pair. */
  public record Issued(X509Certificate certificate, KeyPair keys) {

    /** Writes the certificate (PEM) to {@code certFile} and the PKCS#8 key to {@code keyFile}. */
    public void write(Path certFile, Path keyFile) {
      TestCertificateAuthority.write(certFile, pem(certificate));
      try {
        TestCertificateAuthority.write(
            keyFile, pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
      } catch (PemGenerationException e) {
        throw new IllegalStateException("could not encode a test key", e);
      }
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer)
      throws OperatorCreationException, GeneralSecurityException {
    X509CertificateHolder holder =
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static String pem(Object o) {
    try {
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(o);
      }
      return w.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
