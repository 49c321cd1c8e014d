package io.klio.walstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AuthenticationTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The SCRAM-SHA-256 exchange of RFC 7677, section 3. */
  @Test
  void scramMatchesTheRfc7677TestVector() throws Exception {
    ScramSha256 scram =
        new ScramSha256("user", "pencil", "n,,", new byte[0], "rOprNGfwEbeRWgbNEkqO");
    assertThat(new String(scram.clientFirstMessage(), StandardCharsets.UTF_8))
        .isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    byte[] serverFirst =
        b("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    assertThat(new String(scram.clientFinalMessage(serverFirst), StandardCharsets.UTF_8))
        .isEqualTo(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    scram.verifyServerFinal(b("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
  }

  @Test
  void scramRejectsAServerThatDoesNotKnowThePassword() throws Exception {
    ScramSha256 scram =
        new ScramSha256("user", "pencil", "n,,", new byte[0], "rOprNGfwEbeRWgbNEkqO");
    scram.clientFirstMessage();
    scram.clientFinalMessage(
        b(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
    assertThatThrownBy(
            () -> scram.verifyServerFinal(b("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("does not know the password");
    assertThatThrownBy(() -> scram.verifyServerFinal(b("e=invalid-proof")))
        .hasMessageContaining("invalid-proof");
  }

  @Test
  void scramRejectsANonceThatDoesNotExtendOurs() {
    ScramSha256 scram = new ScramSha256("", "pw", "n,,", new byte[0], "abc");
    scram.clientFirstMessage();
    assertThatThrownBy(
            () -> scram.clientFinalMessage(b("r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
        .hasMessageContaining("nonce");
    assertThatThrownBy(() -> scram.clientFinalMessage(b("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0")))
        .hasMessageContaining("iteration count 0");
    assertThatThrownBy(() -> scram.clientFinalMessage(b("r=abcdef,i=4096")))
        .hasMessageContaining("attribute 's'");
  }

  @Test
  void saslPrepLeavesAsciiAloneAndNormalizesTheRest() {
    assertThat(ScramSha256.saslPrep("pencil")).isEqualTo("pencil");
    assertThat(ScramSha256.saslPrep("I\u00ADX")).isEqualTo("IX");
    assertThat(ScramSha256.saslPrep("a\u00A0b")).isEqualTo("a b");
    assertThat(ScramSha256.saslPrep("\u2168")).isEqualTo("IX");
  }

  @Test
  void md5LikePostgres() {
    // md5(md5("secret" + "klio") + salt 01 02 03 04), computed independently
    assertThat(Authenticator.md5("secret", "klio", new byte[] {1, 2, 3, 4}))
        .isEqualTo("md5b7c11cbaf8f943d9bf74ed62eff982f0");
  }
}
