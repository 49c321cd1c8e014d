package io.klio.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.klio.operator.api.v1alpha1.ResourceStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The standard conditions of a Klio resource: {@code Ready}, {@code Progressing} and {@code
 * Degraded}, and the phase that sums them up. A condition keeps its {@code lastTransitionTime}
 * while its status stays the same, so that writing the same facts twice changes nothing.
 */
final class Conditions {
  static final String READY = "Ready";
  static final String PROGRESSING = "Progressing";
  static final String DEGRADED = "Degraded";

  /** One condition's facts, without its transition time. */
  record Fact(String type, boolean status, String reason, String message) {}

  private Conditions() {}

  /**
   * The status for {@code generation} with these facts, keeping transition times of {@code old}.
   */
  static ResourceStatus status(
      ResourceStatus old, long generation, String tier1Size, List<Fact> facts) {
    List<Condition> previous =
        old == null || old.conditions() == null ? List.of() : old.conditions();
    List<Condition> conditions = new ArrayList<>();
    for (Fact f : facts) {
      String status = f.status() ? "True" : "False";
      String since =
          previous.stream()
              .filter(c -> c.getType().equals(f.type()) && status.equals(c.getStatus()))
              .map(Condition::getLastTransitionTime)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(Instant.now().toString());
      conditions.add(
          new ConditionBuilder()
              .withType(f.type())
              .withStatus(status)
              .withReason(f.reason())
              .withMessage(f.message())
              .withObservedGeneration(generation)
              .withLastTransitionTime(since)
              .build());
    }
    return new ResourceStatus(phase(facts), generation, conditions, tier1Size);
  }

  /** Whether {@code status} says {@code type} is True. */
  static boolean isTrue(ResourceStatus status, String type) {
    return status != null
        && status.conditions() != null
        && status.conditions().stream()
            .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The reason of a True condition, to tell a new refusal from one already reported. */
  static String reason(ResourceStatus status, String type) {
    if (status == null || status.conditions() == null) {
      return null;
    }
    return status.conditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .map(Condition::getReason)
        .findFirst()
        .orElse(null);
  }

  private static String phase(List<Fact> facts) {
    if (facts.stream().anyMatch(f -> f.type().equals(DEGRADED) && f.status())) {
      return "Degraded";
    }
    if (facts.stream().anyMatch(f -> f.type().equals(READY) && f.status())) {
      return "Ready";
    }
    if (facts.stream().anyMatch(f -> f.type().equals(PROGRESSING) && f.status())) {
      return "Progressing";
    }
    return "Pending";
  }
}
