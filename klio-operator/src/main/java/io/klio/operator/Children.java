package io.klio.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Writes an owned object only when what the operator wants of it changed: the desired object's hash
 * is kept in an annotation, so reconciling the same spec twice writes nothing (no server-side
 * apply: the API mock does not support it, and a plain update of our own fields is enough).
 */
final class Children {
  /** What {@link #apply} did. */
  enum Outcome {
    CREATED,
    UPDATED,
    UNCHANGED
  }

  private final KubernetesClient client;

  Children(KubernetesClient client) {
    this.client = client;
  }

  /** The controller owner reference to {@code owner}: deleting it deletes the child. */
  static OwnerReference ownedBy(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** Creates {@code desired}, or updates the live object when {@code desired} changed. */
  <T extends HasMetadata> Outcome apply(HasMetadata owner, T desired) {
    desired.getMetadata().setNamespace(owner.getMetadata().getNamespace());
    desired.getMetadata().setOwnerReferences(List.of(ownedBy(owner)));
    var annotations = new HashMap<String, String>();
    if (desired.getMetadata().getAnnotations() != null) {
      annotations.putAll(desired.getMetadata().getAnnotations());
    }
    annotations.put(Names.SPEC_HASH, hash(Serialization.asJson(desired)));
    desired.getMetadata().setAnnotations(annotations);
    T live = client.resource(desired).get();
    if (live == null) {
      client.resource(desired).create();
      return Outcome.CREATED;
    }
    var liveAnnotations = live.getMetadata().getAnnotations();
    if (liveAnnotations != null
        && annotations.get(Names.SPEC_HASH).equals(liveAnnotations.get(Names.SPEC_HASH))
        && !contentEdited(desired, live)) {
      return Outcome.UNCHANGED;
    }
    desired.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
    client.resource(desired).update();
    return Outcome.UPDATED;
  }

  /**
   * Whether a Secret's data was edited behind the operator's back while its annotation stayed (the
   * configuration and the TLS files are what the server trusts; other objects are compared by their
   * annotation only).
   */
  private static boolean contentEdited(HasMetadata desired, HasMetadata live) {
    return desired instanceof Secret d
        && live instanceof Secret l
        && !Objects.equals(d.getData(), l.getData());
  }

  static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
