package io.klio.server.cnpg;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import java.io.IOException;
import java.util.Optional;

/**
 * What the plugin reads from the Kubernetes objects CloudNativePG sends as JSON (its {@code
 * cluster_definition} and {@code backup_definition}): only the fields it needs, by their JSON names
 * in CloudNativePG's {@code api/v1}; everything else is ignored, so that newer CloudNativePG
 * versions with more fields are understood. Immutable values.
 */
final class CnpgObjects {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CnpgObjects() {}

  /**
   * A {@code Cluster}.
   *
   * @param name {@code metadata.name}
   * @param namespace {@code metadata.namespace} (empty when absent)
   * @param uid {@code metadata.uid} (empty when absent)
   * @param recoveryTarget {@code spec.bootstrap.recovery.recoveryTarget}, empty when absent
   */
  record Cluster(String name, String namespace, String uid, RecoveryTarget recoveryTarget) {}

  /**
   * {@code spec.bootstrap.recovery.recoveryTarget}: each field empty when absent or empty.
   * CloudNativePG's webhook allows at most one target, and {@code targetName}, {@code targetXID}
   * and {@code targetImmediate} only with a {@code backupID}.
   */
  record RecoveryTarget(
      Optional<String> backupId,
      Optional<String> targetTime,
      Optional<String> targetLsn,
      Optional<String> targetTli) {
    static final RecoveryTarget NONE =
        new RecoveryTarget(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** A {@code Backup}: its {@code metadata.name}. */
  record Backup(String name) {}

  /**
   * Reads a {@code Cluster}.
   *
   * @throws StatusException INVALID_ARGUMENT when it is not JSON or has no {@code metadata.name}
   */
  static Cluster cluster(ByteString definition) throws StatusException {
    JsonNode c = parse(definition, "cluster_definition");
    String name =
        text(c.path("metadata").path("name"))
            .orElseThrow(() -> invalid("cluster_definition has no metadata.name"));
    JsonNode t = c.path("spec").path("bootstrap").path("recovery").path("recoveryTarget");
    RecoveryTarget target =
        t.isObject()
            ? new RecoveryTarget(
                text(t.path("backupID")),
                text(t.path("targetTime")),
                text(t.path("targetLSN")),
                text(t.path("targetTLI")))
            : RecoveryTarget.NONE;
    return new Cluster(
        name,
        text(c.path("metadata").path("namespace")).orElse(""),
        text(c.path("metadata").path("uid")).orElse(""),
        target);
  }

  /**
   * Reads a {@code Backup}.
   *
   * @throws StatusException INVALID_ARGUMENT when it is not JSON or has no {@code metadata.name}
   */
  static Backup backup(ByteString definition) throws StatusException {
    JsonNode b = parse(definition, "backup_definition");
    return new Backup(
        text(b.path("metadata").path("name"))
            .orElseThrow(() -> invalid("backup_definition has no metadata.name")));
  }

  private static JsonNode parse(ByteString definition, String field) throws StatusException {
    if (definition.isEmpty()) {
      throw invalid(field + " is empty: CloudNativePG sends the object as JSON");
    }
    try {
      JsonNode n = JSON.readTree(definition.toByteArray());
      if (n == null || !n.isObject()) {
        throw invalid(field + " is not a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw invalid(field + " is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw invalid(field + " cannot be read: " + e.getMessage());
    }
  }

  private static Optional<String> text(JsonNode n) {
    return n.isValueNode() && !n.asText().isBlank() ? Optional.of(n.asText()) : Optional.empty();
  }

  private static StatusException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asException();
  }
}
