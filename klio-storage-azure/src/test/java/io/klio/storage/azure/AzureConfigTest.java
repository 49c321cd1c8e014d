package io.klio.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobStores;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code azure:} URI and its options, checked before any client exists. */
class AzureConfigTest {

  private static AzureConfig parse(String uri, Map<String, String> options) throws Exception {
    return AzureConfig.parse(URI.create(uri), options);
  }

  @Test
  void defaultsAreTheAzureEndpointAndTheIdentityChain() throws Exception {
    AzureConfig c = parse("azure://myaccount/backups", Map.of());
    assertThat(c.account()).isEqualTo("myaccount");
    assertThat(c.container()).isEqualTo("backups");
    assertThat(c.prefix()).isEmpty();
    assertThat(c.endpoint()).isEqualTo("https://myaccount.blob.core.windows.net");
    assertThat(c.auth()).isEqualTo(AzureConfig.Auth.DEFAULT);
    assertThat(c.tier()).isEmpty();
    assertThat(c.blockSize()).isEqualTo(8 << 20);
    assertThat(c.parallelism()).isEqualTo(4);
    assertThat(c.maxTries()).isEqualTo(4);
    assertThat(c.tryTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(c.describe()).isEqualTo("azure://myaccount/backups");
  }

  @Test
  void prefixQueryOptionsAndTheAuthFollowingTheSecretFile() throws Exception {
    AzureConfig c =
        parse(
            "azure://acct/cont/site-a/tier2/?endpoint=http%3A%2F%2F127.0.0.1%3A10000%2Facct"
                + "&tier=Cool&block-size=256KiB",
            Map.of("account-key-file", "/run/secrets/key"));
    assertThat(c.prefix()).isEqualTo("site-a/tier2");
    assertThat(c.endpoint()).isEqualTo("http://127.0.0.1:10000/acct");
    assertThat(c.tier()).contains("cool");
    assertThat(c.blockSize()).isEqualTo(256 << 10);
    assertThat(c.auth()).isEqualTo(AzureConfig.Auth.SHARED_KEY);
    assertThat(c.secretFile()).contains(Path.of("/run/secrets/key"));
    assertThat(c.describe()).isEqualTo("azure://acct/cont/site-a/tier2");
    assertThat(parse("azure://acct/cont", Map.of("sas-token-file", "/s")).auth())
        .isEqualTo(AzureConfig.Auth.SAS);
    assertThat(parse("azure://acct/cont", Map.of("connection-string-file", "/s")).auth())
        .isEqualTo(AzureConfig.Auth.CONNECTION_STRING);
    AzureConfig mi =
        parse("azure://acct/cont", Map.of("auth", "managed-identity", "client-id", "abc"));
    assertThat(mi.auth()).isEqualTo(AzureConfig.Auth.MANAGED_IDENTITY);
    assertThat(mi.clientId()).isEqualTo(Optional.of("abc"));
    assertThat(parse("azure://acct/cont", Map.of("auth", "workload-identity")).auth())
        .isEqualTo(AzureConfig.Auth.WORKLOAD_IDENTITY);
  }

  @Test
  void badUrisAndOptionsNameWhatIsWrong() {
    assertBad("azure:///cont", Map.of(), "storage account");
    assertBad("azure://My_Account/cont", Map.of(), "storage account");
    assertBad("azure://acct", Map.of(), "container");
    assertBad("azure://acct/UPPER", Map.of(), "container ('UPPER')");
    assertBad("azure://acct/cont/bad%20prefix", Map.of(), "prefix");
    assertBad("azure://acct/cont?colour=blue", Map.of(), "unknown option 'colour'");
    assertBad("azure://acct/cont?tier=hot", Map.of("tier", "cool"), "given twice");
    assertBad("azure://acct/cont", Map.of("tier", "glacier"), "option tier='glacier'");
    assertBad("azure://acct/cont", Map.of("block-size", "1KiB"), "64KiB to 256MiB");
    assertBad("azure://acct/cont", Map.of("block-size", "lots"), "option block-size='lots'");
    assertBad("azure://acct/cont", Map.of("parallelism", "0"), "from 1 to 64");
    assertBad("azure://acct/cont", Map.of("endpoint", "ftp://x"), "http:// or https://");
    assertBad("azure://acct/cont", Map.of("auth", "password"), "option auth='password'");
    assertBad("azure://acct/cont", Map.of("auth", "shared-key"), "needs option account-key-file");
    assertBad(
        "azure://acct/cont",
        Map.of("account-key-file", "/k", "sas-token-file", "/s"),
        "give one of account-key-file and it");
    assertBad(
        "azure://acct/cont",
        Map.of("auth", "managed-identity", "sas-token-file", "/s"),
        "uses no secret file");
    assertBad(
        "azure://acct/cont",
        Map.of("account-key-file", "/k", "client-id", "x"),
        "only the identity methods use it");
    assertBad(
        "azure://acct/cont",
        Map.of("connection-string-file", "/cs", "endpoint", "https://x"),
        "the connection string names the endpoint");
  }

  @Test
  void tokensAreNeverSentOverPlainHttp() {
    assertBad(
        "azure://acct/cont",
        Map.of("auth", "workload-identity", "endpoint", "http://127.0.0.1:10000/acct"),
        "only sent over https");
    assertBad(
        "azure://acct/cont", Map.of("endpoint", "http://127.0.0.1:10000/acct"), "auth='default'");
  }

  @Test
  void blobStoresRejectsAnUnknownOptionBeforeTheProviderRuns() {
    assertThatThrownBy(() -> BlobStores.open(URI.create("azure://acct/cont"), Map.of("tiers", "x")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("unknown option(s) [tiers]")
        .hasMessageContaining("tier");
  }

  private static void assertBad(String uri, Map<String, String> options, String message) {
    assertThatThrownBy(() -> parse(uri, options))
        .as(uri + " " + options)
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining(message);
  }
}
