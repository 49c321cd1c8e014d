package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * The status of a Klio resource, written by the operator only.
 *
 * @param phase {@code Pending}, {@code Progressing}, {@code Ready} or {@code Degraded}
 * @param observedGeneration the {@code metadata.generation} this status describes
 * @param conditions {@code Ready}, {@code Progressing} and {@code Degraded}, with reasons
 * @param tier1Size (Server only) the Tier 1 size applied to the volume
 */
public record ResourceStatus(
    @PrinterColumn(name = "Phase")
        @JsonPropertyDescription("Pending, Progressing, Ready or Degraded.")
        String phase,
    @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
    @JsonPropertyDescription("Ready, Progressing and Degraded, with reasons.")
        List<Condition> conditions,
    @JsonPropertyDescription("Server only: the Tier 1 size applied to the volume.")
        String tier1Size) {}
