package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * What a {@link Server} should be.
 *
 * @param image the container image holding the {@code klio} distribution
 * @param tier1 the Tier 1 volume
 * @param tier2 the Tier 2 store; none: Tier 1 only
 * @param encryption encryption at rest; none: off
 * @param resources the server container's requests and limits
 * @param scheduling where the server pod may run
 */
public record ServerSpec(
    @Required @JsonPropertyDescription("Container image holding the klio distribution.")
        String image,
    @Required @JsonPropertyDescription("The Tier 1 volume (a PVC of the StatefulSet).") Tier1 tier1,
    @JsonPropertyDescription("The Tier 2 store (exactly one of s3, azure); none: Tier 1 only.")
        Tier2 tier2,
    @JsonPropertyDescription("Encryption at rest; none: off.") Encryption encryption,
    @JsonPropertyDescription("Requests and limits of the server container.")
        ResourceRequirements resources,
    @JsonPropertyDescription("Where the server pod may run.") Scheduling scheduling) {}
