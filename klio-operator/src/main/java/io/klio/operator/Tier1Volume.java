package io.klio.operator;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.klio.operator.api.v1alpha1.ServerSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Tier 1 volume of a Server: the size the spec asks for against the size already applied (the
 * larger of the StatefulSet's record and every PVC's request). A larger size is applied to the PVCs
 * (a StatefulSet's claim template cannot change); a smaller one, or another storage class, is
 * refused and the volume stays as it is.
 */
final class Tier1Volume {
  private final PersistentVolumeClaim claimTemplate;
  private final Quantity applied;
  private final List<PersistentVolumeClaim> pvcs;
  private final String refusalReason;
  private final String refusal;

  private Tier1Volume(
      PersistentVolumeClaim claimTemplate,
      Quantity applied,
      List<PersistentVolumeClaim> pvcs,
      String refusalReason,
      String refusal) {
    this.claimTemplate = claimTemplate;
    this.applied = applied;
    this.pvcs = pvcs;
    this.refusalReason = refusalReason;
    this.refusal = refusal;
  }

  static Tier1Volume of(ServerSpec spec, StatefulSet live, List<PersistentVolumeClaim> pvcs) {
    Quantity wanted = spec.tier1().size();
    if (live == null || live.getSpec().getVolumeClaimTemplates().isEmpty()) {
      return new Tier1Volume(ServerWorkload.claimTemplate(spec), wanted, pvcs, null, null);
    }
    PersistentVolumeClaim template = live.getSpec().getVolumeClaimTemplates().get(0);
    template.setStatus(null);
    List<Quantity> sizes = new ArrayList<>();
    sizes.add(template.getSpec().getResources().getRequests().get("storage"));
    var annotations = live.getMetadata().getAnnotations();
    if (annotations != null && annotations.get(Names.TIER1_SIZE) != null) {
      sizes.add(new Quantity(annotations.get(Names.TIER1_SIZE)));
    }
    pvcs.forEach(p -> sizes.add(p.getSpec().getResources().getRequests().get("storage")));
    Quantity current =
        sizes.stream()
            .filter(Objects::nonNull)
            .max((a, b) -> ServerReconciler.bytes(a).compareTo(ServerReconciler.bytes(b)))
            .orElseThrow();
    String wantedClass = spec.tier1().storageClassName();
    String liveClass = template.getSpec().getStorageClassName();
    if (wantedClass != null && !wantedClass.equals(liveClass)) {
      return new Tier1Volume(
          template,
          current,
          pvcs,
          "StorageClassChangeRefused",
          "spec.tier1.storageClassName: the Tier 1 volume exists with storage class "
              + (liveClass == null ? "(the default)" : liveClass)
              + " and cannot move to "
              + wantedClass
              + "; set it back, or make a new Server");
    }
    BigDecimal w = ServerReconciler.bytes(wanted);
    BigDecimal c = ServerReconciler.bytes(current);
    if (w.compareTo(c) < 0) {
      return new Tier1Volume(
          template,
          current,
          pvcs,
          "VolumeShrinkRefused",
          "spec.tier1.size: the Tier 1 volume is "
              + current
              + " and cannot shrink to "
              + wanted
              + "; set spec.tier1.size to "
              + current
              + " or more");
    }
    return new Tier1Volume(template, w.compareTo(c) > 0 ? wanted : current, pvcs, null, null);
  }

  PersistentVolumeClaim claimTemplate() {
    return claimTemplate;
  }

  String applied() {
    return applied.toString();
  }

  Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  String refusalReason() {
    return refusalReason;
  }

  /**
   * Raises every PVC that requests less than the applied size.
   *
   * @return what was done, for an event; null when nothing was
   */
  String grow(KubernetesClient client, String namespace) {
    BigDecimal target = ServerReconciler.bytes(applied);
    List<String> grown = new ArrayList<>();
    for (PersistentVolumeClaim pvc : pvcs) {
      Quantity has = pvc.getSpec().getResources().getRequests().get("storage");
      if (has == null || ServerReconciler.bytes(has).compareTo(target) < 0) {
        PersistentVolumeClaim raised = new PersistentVolumeClaimBuilder(pvc).build();
        raised.getSpec().getResources().getRequests().put("storage", new Quantity(applied()));
        client.persistentVolumeClaims().inNamespace(namespace).resource(raised).update();
        grown.add(pvc.getMetadata().getName() + " from " + has + " to " + applied());
      }
    }
    return grown.isEmpty() ? null : "grew PVC " + String.join(", ", grown);
  }
}
