package io.klio.walstream;

import io.klio.api.error.PermanentException;
import io.klio.walstream.ConnectionSettings.ChannelBinding;
import io.klio.walstream.protocol.BackendMessage;
import io.klio.walstream.protocol.BackendMessage.AuthenticationCleartextPassword;
import io.klio.walstream.protocol.BackendMessage.AuthenticationMd5Password;
import io.klio.walstream.protocol.BackendMessage.AuthenticationOk;
import io.klio.walstream.protocol.BackendMessage.AuthenticationOther;
import io.klio.walstream.protocol.BackendMessage.AuthenticationSasl;
import io.klio.walstream.protocol.BackendMessage.AuthenticationSaslContinue;
import io.klio.walstream.protocol.BackendMessage.AuthenticationSaslFinal;
import io.klio.walstream.protocol.FrontendMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Answers the server's authentication requests: cleartext, md5, SCRAM-SHA-256(-PLUS). */
final class Authenticator {

  private final ConnectionSettings settings;
  private final Transport transport;
  private ScramSha256 scram;
  private boolean usedChannelBinding;

  Authenticator(ConnectionSettings settings, Transport transport) {
    this.settings = settings;
    this.transport = transport;
  }

  /** Handles one authentication message; returns the reply to send, or null for none. */
  FrontendMessage answer(BackendMessage.Authentication request) throws IOException {
    if (request instanceof AuthenticationOk) {
      if (settings.channelBinding() == ChannelBinding.REQUIRE && !usedChannelBinding) {
        throw new PermanentException(
            "channel binding required, but the server authenticated the client without it");
      }
      return null;
    }
    if (request instanceof AuthenticationCleartextPassword) {
      return new FrontendMessage.Password(password("password"));
    }
    if (request instanceof AuthenticationMd5Password md5) {
      return new FrontendMessage.Password(md5(password("md5"), settings.user(), md5.salt()));
    }
    if (request instanceof AuthenticationSasl sasl) {
      return startScram(sasl);
    }
    if (request instanceof AuthenticationSaslContinue c) {
      return new FrontendMessage.SaslResponse(scram().clientFinalMessage(c.data()));
    }
    if (request instanceof AuthenticationSaslFinal f) {
      scram().verifyServerFinal(f.data());
      return null;
    }
    int code = ((AuthenticationOther) request).code();
    throw new PermanentException(
        "the server asks for an authentication method this client does not support (code "
            + code
            + "); use scram-sha-256, md5, password or trust in pg_hba.conf");
  }

  private FrontendMessage startScram(AuthenticationSasl sasl) throws IOException {
    String pw = password("SCRAM-SHA-256");
    boolean plusOffered = sasl.mechanisms().contains("SCRAM-SHA-256-PLUS");
    boolean tls = transport.isTls();
    ChannelBinding cb = settings.channelBinding();
    if (cb == ChannelBinding.REQUIRE && !(tls && plusOffered)) {
      throw new PermanentException(
          "channel binding is required (channel_binding=require), but the server did not offer"
              + " SCRAM-SHA-256-PLUS"
              + (tls ? "" : " (it needs a TLS connection)"));
    }
    if (tls && plusOffered && cb != ChannelBinding.DISABLE) {
      byte[] data = ScramSha256.tlsServerEndPoint(transport.serverCertificate().orElseThrow());
      scram = new ScramSha256(pw, "p=tls-server-end-point,,", data);
      usedChannelBinding = true;
      return new FrontendMessage.SaslInitialResponse(
          "SCRAM-SHA-256-PLUS", scram.clientFirstMessage());
    }
    if (!sasl.mechanisms().contains("SCRAM-SHA-256")) {
      throw new PermanentException(
          "the server offers SASL mechanisms "
              + sasl.mechanisms()
              + ", none of which this client supports");
    }
    String gs2 = tls && cb != ChannelBinding.DISABLE ? "y,," : "n,,";
    scram = new ScramSha256(pw, gs2, new byte[0]);
    return new FrontendMessage.SaslInitialResponse("SCRAM-SHA-256", scram.clientFirstMessage());
  }

  private ScramSha256 scram() throws PermanentException {
    if (scram == null) {
      throw new PermanentException("the server continued a SASL exchange that never started");
    }
    return scram;
  }

  private String password(String method) throws PermanentException {
    return settings
        .password()
        .orElseThrow(
            () ->
                new PermanentException(
                    "the server requested "
                        + method
                        + " authentication for user \""
                        + settings.user()
                        + "\" but no password was supplied; set PGPASSWORD, password= in the"
                        + " connection string, or an entry in ~/.pgpass"));
  }

  /** PostgreSQL's md5 scheme: "md5" + md5(md5(password + user) + salt). */
  static String md5(String password, String user, byte[] salt) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      String inner =
          HexFormat.of().formatHex(md.digest((password + user).getBytes(StandardCharsets.UTF_8)));
      md.update(inner.getBytes(StandardCharsets.US_ASCII));
      md.update(salt);
      return "md5" + HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
