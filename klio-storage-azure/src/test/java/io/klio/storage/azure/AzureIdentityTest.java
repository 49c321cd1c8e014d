package io.klio.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The identity methods build their azure-identity credentials without the desktop token-cache jars
 * this module excludes. No token service runs here (no Entra ID, no instance metadata service), so
 * this checks what happens before a token is asked for; the token exchange itself is the SDK's.
 */
class AzureIdentityTest {

  private static final URI STORE_URI =
      URI.create("azure://acct/cont?endpoint=https://127.0.0.1:9/acct");

  @Test
  void anUnconfiguredWorkloadIdentityFailsTheOpenSayingWhatItNeeds() {
    // the test's environment has no federated token file
    assertThat(System.getenv("AZURE_FEDERATED_TOKEN_FILE")).isNull();
    assertThatThrownBy(
            () ->
                BlobStores.open(
                    STORE_URI,
                    Map.of(
                        AzureConfig.AUTH, "workload-identity",
                        AzureConfig.CLIENT_ID, "00000000-0000-0000-0000-000000000001",
                        AzureConfig.TENANT_ID, "00000000-0000-0000-0000-000000000002")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("workload identity for azure://acct/cont")
        .hasMessageContaining("https://127.0.0.1:9/acct")
        .hasMessageContaining("AZURE_FEDERATED_TOKEN_FILE");
  }

  @Test
  void managedIdentityAndTheDefaultChainOpenWithoutTouchingTheNetwork() throws Exception {
    try (BlobStore mi =
        BlobStores.open(
            STORE_URI, Map.of(AzureConfig.AUTH, "managed-identity", "client-id", "id-1"))) {
      assertThat(mi.describe()).isEqualTo("azure://acct/cont");
    }
    try (BlobStore chain = BlobStores.open(STORE_URI, Map.of())) {
      assertThat(chain.describe()).isEqualTo("azure://acct/cont");
    }
  }
}
