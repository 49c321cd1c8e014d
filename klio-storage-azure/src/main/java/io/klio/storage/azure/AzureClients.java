package io.klio.storage.azure;

import com.azure.core.credential.AzureSasCredential;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ChainedTokenCredentialBuilder;
import com.azure.identity.EnvironmentCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.klio.api.error.PermanentException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * Builds the SDK client of one store: the JDK HttpClient (no Netty), the storage retry policy
 * (exponential, {@code max-tries}, {@code try-timeout-seconds}), and the credential named by {@code
 * auth}. Secrets are read from their files here, once, and kept only inside the SDK's objects.
 */
final class AzureClients {

  private AzureClients() {}

  /** The two faces of one client: synchronous calls, and the asynchronous download stream. */
  record Containers(BlobContainerClient sync, BlobContainerAsyncClient async) {}

  static Containers containers(AzureConfig c) throws PermanentException {
    HttpClient http =
        new JdkHttpClientBuilder()
            .connectionTimeout(Duration.ofSeconds(10))
            .responseTimeout(c.tryTimeout())
            .build();
    RequestRetryOptions retry =
        new RequestRetryOptions(
            RetryPolicyType.EXPONENTIAL,
            c.maxTries(),
            c.tryTimeout(),
            Duration.ofMillis(500),
            Duration.ofSeconds(30),
            null);
    BlobContainerClientBuilder b =
        new BlobContainerClientBuilder()
            .httpClient(http)
            .retryOptions(retry)
            .containerName(c.container());
    switch (c.auth()) {
      case CONNECTION_STRING -> {
        String cs = secret(c);
        checkAccount(c, cs);
        b.connectionString(cs);
      }
      case SHARED_KEY -> {
        String key = secret(c);
        try {
          Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
          throw new PermanentException(
              "the account key in "
                  + c.secretFile().orElseThrow()
                  + " (for "
                  + c.where()
                  + ") is not base64; copy key1 or key2 of the storage account into it");
        }
        b.endpoint(c.endpoint()).credential(new StorageSharedKeyCredential(c.account(), key));
      }
      case SAS -> {
        String sas = secret(c);
        b.endpoint(c.endpoint())
            .credential(new AzureSasCredential(sas.startsWith("?") ? sas.substring(1) : sas));
      }
      default -> b.endpoint(c.endpoint()).credential(token(c, http));
    }
    try {
      return new Containers(b.buildClient(), b.buildAsyncClient());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new PermanentException(
          "cannot set up a client for " + c.where() + ": " + e.getMessage(), e);
    }
  }

  private static TokenCredential token(AzureConfig c, HttpClient http) throws PermanentException {
    ManagedIdentityCredentialBuilder managed = new ManagedIdentityCredentialBuilder();
    managed.httpClient(http);
    c.clientId().ifPresent(managed::clientId);
    switch (c.auth()) {
      case WORKLOAD_IDENTITY -> {
        try {
          return workload(c, http);
        } catch (IllegalArgumentException e) {
          throw new PermanentException(
              "workload identity for "
                  + c.where()
                  + " is not configured ("
                  + e.getMessage()
                  + "): it needs AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID"
                  + " (the AKS workload identity webhook sets them) or options client-id and"
                  + " tenant-id",
              e);
        }
      }
      case MANAGED_IDENTITY -> {
        return managed.build();
      }
      default -> {
        EnvironmentCredentialBuilder env = new EnvironmentCredentialBuilder();
        env.httpClient(http);
        ChainedTokenCredentialBuilder chain = new ChainedTokenCredentialBuilder();
        chain.addLast(env.build());
        try {
          chain.addLast(workload(c, http));
        } catch (IllegalArgumentException e) {
          // no workload identity here (no token file): the chain goes on without it
        }
        return chain.addLast(managed.build()).build();
      }
    }
  }

  /** A workload identity credential; IllegalArgumentException when it lacks its settings. */
  private static TokenCredential workload(AzureConfig c, HttpClient http) {
    WorkloadIdentityCredentialBuilder workload = new WorkloadIdentityCredentialBuilder();
    workload.httpClient(http);
    c.clientId().ifPresent(workload::clientId);
    c.tenantId().ifPresent(workload::tenantId);
    return workload.build();
  }

  private static String secret(AzureConfig c) throws PermanentException {
    Path file = c.secretFile().orElseThrow();
    String what = c.auth().fileOption;
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (s.isEmpty()) {
        throw new PermanentException(
            "option " + what + ": " + file + " is empty (for " + c.describe() + ")");
      }
      return s;
    } catch (NoSuchFileException e) {
      throw new PermanentException(
          "option " + what + ": " + file + " does not exist (for " + c.describe() + ")", e);
    } catch (IOException e) {
      throw new PermanentException(
          "option " + what + ": cannot read " + file + " (for " + c.describe() + "): " + e, e);
    }
  }

  /** The connection string must be for the URI's account, or the URI would lie in messages. */
  private static void checkAccount(AzureConfig c, String cs) throws PermanentException {
    for (String part : cs.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase("AccountName")) {
        String named = part.substring(eq + 1).trim();
        if (!named.toLowerCase(Locale.ROOT).equals(c.account())) {
          throw new PermanentException(
              "the connection string in "
                  + c.secretFile().orElseThrow()
                  + " is for account '"
                  + named
                  + "', but the URI "
                  + c.describe()
                  + " names account '"
                  + c.account()
                  + "'");
        }
      }
    }
  }
}
