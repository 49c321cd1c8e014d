package io.klio.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records Kubernetes events about Klio resources ({@code kubectl describe} shows them). */
final class Events {
  private static final Logger LOG = LoggerFactory.getLogger(Events.class);

  private final KubernetesClient client;

  Events(KubernetesClient client) {
    this.client = client;
  }

  void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String now = Instant.now().toString();
    byte[] suffix = new byte[6];
    ThreadLocalRandom.current().nextBytes(suffix);
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(about.getMetadata().getName() + "." + HexFormat.of().formatHex(suffix))
            .withNamespace(about.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(about.getApiVersion())
            .withKind(about.getKind())
            .withName(about.getMetadata().getName())
            .withNamespace(about.getMetadata().getNamespace())
            .withUid(about.getMetadata().getUid())
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(message)
            .withCount(1)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withNewSource()
            .withComponent(Names.MANAGER)
            .endSource()
            .build();
    LOG.info(
        "{} {}/{}: {}: {}",
        about.getKind(),
        event.getMetadata().getNamespace(),
        about.getMetadata().getName(),
        reason,
        message);
    try {
      client.v1().events().inNamespace(about.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // an event is a courtesy: failing to record it must not fail the reconciliation
      LOG.warn(
          "could not record event {} on {}: {}",
          reason,
          about.getMetadata().getName(),
          e.getMessage());
    }
  }
}
