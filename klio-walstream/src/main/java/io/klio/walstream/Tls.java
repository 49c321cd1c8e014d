package io.klio.walstream;

import io.klio.api.error.PermanentException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** TLS with libpq's sslmode semantics: what to verify, which CA, which client certificate. */
final class Tls {

  private Tls() {}

  static SSLSocket handshake(ConnectionSettings s, Socket plain) throws IOException {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers(s), trustManagers(s), null);
      SSLSocket tls =
          (SSLSocket) ctx.getSocketFactory().createSocket(plain, s.host(), s.port(), true);
      SSLParameters params = tls.getSSLParameters();
      if (s.sslMode() == SslMode.VERIFY_FULL) {
        params.setEndpointIdentificationAlgorithm("HTTPS");
      }
      tls.setSSLParameters(params);
      tls.setUseClientMode(true);
      tls.startHandshake();
      return tls;
    } catch (SSLException e) {
      plain.close();
      throw new PermanentException(
          "TLS handshake with "
              + s.host()
              + ":"
              + s.port()
              + " failed (sslmode="
              + s.sslMode()
              + "): "
              + e.getMessage()
              + (s.sslMode() == SslMode.VERIFY_FULL
                  ? "; check that sslrootcert is the CA of the server and that the host name"
                      + " matches the server certificate"
                  : ""),
          e);
    } catch (GeneralSecurityException e) {
      plain.close();
      throw new PermanentException("could not set up TLS: " + e.getMessage(), e);
    }
  }

  private static TrustManager[] trustManagers(ConnectionSettings s)
      throws GeneralSecurityException, IOException {
    boolean verify =
        s.sslMode() == SslMode.VERIFY_CA
            || s.sslMode() == SslMode.VERIFY_FULL
            || (s.sslMode() == SslMode.REQUIRE && s.sslRootCert().isPresent());
    if (!verify) {
      return new TrustManager[] {new TrustAnything()};
    }
    Optional<Path> root = s.sslRootCert();
    if (root.isEmpty()) {
      throw new PermanentException(
          "sslmode="
              + s.sslMode()
              + " needs the CA certificate to verify the server with; set sslrootcert=<file>"
              + " (or sslrootcert=system) or put it in ~/.postgresql/root.crt");
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (root.get().toString().equals("system")) {
      tmf.init((KeyStore) null);
      return tmf.getTrustManagers();
    }
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    int i = 0;
    for (Certificate c : readCertificates(root.get(), "sslrootcert")) {
      ks.setCertificateEntry("ca-" + i++, c);
    }
    tmf.init(ks);
    return tmf.getTrustManagers();
  }

  private static KeyManager[] keyManagers(ConnectionSettings s)
      throws GeneralSecurityException, IOException {
    if (s.sslCert().isEmpty()) {
      return null;
    }
    Path keyFile =
        s.sslKey()
            .orElseThrow(
                () ->
                    new PermanentException(
                        "sslcert is set but sslkey is not; give the client key file too"));
    Collection<? extends Certificate> chain = readCertificates(s.sslCert().get(), "sslcert");
    PrivateKey key = readPrivateKey(keyFile);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = new char[0];
    ks.setKeyEntry("client", key, pw, chain.toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    return kmf.getKeyManagers();
  }

  private static Collection<? extends Certificate> readCertificates(Path file, String option)
      throws IOException, GeneralSecurityException {
    if (!Files.isReadable(file)) {
      throw new PermanentException(
          option + " file \"" + file + "\" does not exist or is not readable");
    }
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new PermanentException(option + " file \"" + file + "\" holds no certificate");
      }
      return certs;
    }
  }

  static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
    if (!Files.isReadable(file)) {
      throw new PermanentException(
          "sslkey file \"" + file + "\" does not exist or is not readable");
    }
    String pem = Files.readString(file);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf("-----END PRIVATE KEY-----");
    if (b < 0 || e < 0) {
      throw new PermanentException(
          "sslkey file \""
              + file
              + "\" is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with:"
              + " openssl pkcs8 -topk8 -nocrypt -in <key> -out <key.pk8>");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException ignored) {
        // try the next algorithm
      }
    }
    throw new PermanentException("sslkey file \"" + file + "\": unsupported key algorithm");
  }

  /** sslmode=prefer/require without a CA: encrypt, verify nothing (libpq's behaviour). */
  private static final class TrustAnything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
