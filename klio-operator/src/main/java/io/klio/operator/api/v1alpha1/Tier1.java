package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * The Tier 1 volume.
 *
 * @param size the PVC's requested size; it may grow (the PVC is resized, if its storage class
 *     allows expansion) but never shrink
 * @param storageClassName the PVC's storage class; none: the cluster's default. Fixed once the
 *     volume exists
 */
public record Tier1(
    @Required
        @JsonPropertyDescription(
            "Requested size of the PVC, such as 50Gi. May grow (the PVC is resized), never shrink.")
        Quantity size,
    @JsonPropertyDescription("Storage class of the PVC; none: the default. Fixed once created.")
        String storageClassName) {}
