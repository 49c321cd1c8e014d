package io.klio.storage.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeoutException;

/**
 * The one place where the SDK's failures become Klio's three kinds. The SDK's retry policy has
 * already retried what it retries (timeouts, dropped connections, 429, 500, 503) by the time a
 * failure reaches here, so a {@link RetryableException} means "the budget of tries ran out; try
 * again later", and nothing in this module retries on top of it.
 */
final class AzureErrors {

  private final AzureConfig config;
  private final String where;
  private final String credential;

  /** Errors of the store {@code config} describes, whose container is at {@code containerUrl}. */
  AzureErrors(AzureConfig config, String containerUrl) {
    this.config = config;
    this.where = config.where(containerUrl);
    this.credential =
        config.secretFile().map(p -> " with the credential in " + p).orElse(" with " + identity());
  }

  /**
   * Classifies {@code e}, thrown while doing {@code action} ("read", "store" …) on {@code key}
   * (null for container-wide actions such as listing).
   */
  KlioException classify(Throwable e, String action, BlobKey key) {
    if (e instanceof KlioException k) {
      return k;
    }
    String what = action + (key == null ? "" : " object '" + key + "'") + " in " + where + ": ";
    BlobStorageException se = find(e, BlobStorageException.class);
    if (se != null) {
      return classify(se, what, key);
    }
    ClientAuthenticationException auth = find(e, ClientAuthenticationException.class);
    if (auth != null) {
      return new PermanentException(
          what
              + "could not get a token"
              + credential
              + ": "
              + firstLine(auth.getMessage())
              + "; check the identity's configuration and its role on the container",
          e);
    }
    if (find(e, IOException.class) != null
        || find(e, TimeoutException.class) != null
        || find(e, InterruptedIOException.class) != null) {
      return new RetryableException(
          what
              + "the service did not answer after "
              + config.maxTries()
              + " tries ("
              + firstLine(e.getMessage())
              + "); try again later",
          e);
    }
    return new PermanentException(what + firstLine(String.valueOf(e.getMessage())), e);
  }

  private KlioException classify(BlobStorageException e, String what, BlobKey key) {
    int status = e.getStatusCode();
    BlobErrorCode code = e.getErrorCode();
    String detail = " (HTTP " + status + (code == null ? "" : " " + code) + ")";
    if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
      return new PermanentException(
          what
              + "container '"
              + config.container()
              + "' does not exist in account '"
              + config.account()
              + "'"
              + detail
              + "; create it, or correct the URI",
          e);
    }
    if (status == 404 && key != null) {
      return new BlobNotFoundException(key, config.describe());
    }
    if (status == 401 || status == 403) {
      return new PermanentException(
          what + "access refused" + credential + detail + ": " + hint(code), e);
    }
    if (BlobErrorCode.BLOB_ARCHIVED.equals(code)) {
      return new PermanentException(
          what
              + "the object is in the Archive tier"
              + detail
              + "; rehydrate it to Hot or Cool (Set Blob Tier) before reading it",
          e);
    }
    // Md5Mismatch: the service received other bytes than the ones sent; sending them again can work
    if (status == 408 || status == 429 || status >= 500 || BlobErrorCode.MD5MISMATCH.equals(code)) {
      return new RetryableException(
          what
              + "the service failed after "
              + config.maxTries()
              + " tries"
              + detail
              + ": "
              + firstLine(e.getServiceMessage())
              + "; try again later",
          e);
    }
    return new PermanentException(what + firstLine(e.getServiceMessage()) + detail, e);
  }

  /** What a refused request most likely means for the store's way of authenticating. */
  private String hint(BlobErrorCode code) {
    if (BlobErrorCode.NO_AUTHENTICATION_INFORMATION.equals(code)) {
      return "the request carried no credential.";
    }
    String account = "account '" + config.account() + "'";
    return switch (config.auth()) {
      case SHARED_KEY ->
          "the account key does not match "
              + account
              + " (or a network rule of the account refuses this client).";
      case CONNECTION_STRING ->
          "the connection string's key or SAS does not match "
              + account
              + " (or a network rule of the account refuses this client).";
      case SAS ->
          "the SAS token is malformed, expired, lacks a permission (it needs racwdl) or is not"
              + " for this container.";
      default ->
          BlobErrorCode.AUTHORIZATION_PERMISSION_MISMATCH.equals(code)
              ? "the identity has no data role on the container; grant it Storage Blob Data"
                  + " Contributor."
              : "the token was not accepted for " + account + ".";
    };
  }

  private String identity() {
    String s = config.auth().optionValue();
    return (s.equals("default") ? "the default identity chain" : s)
        + config.clientId().map(c -> " (client id " + c + ")").orElse("");
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip();
  }
}
