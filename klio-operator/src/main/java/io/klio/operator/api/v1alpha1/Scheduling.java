package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * Where the server pod may run; each field goes to the pod spec as it is.
 *
 * @param nodeSelector the pod's node selector
 * @param tolerations the pod's tolerations
 * @param affinity the pod's affinity
 * @param priorityClassName the pod's priority class
 */
public record Scheduling(
    @JsonPropertyDescription("The pod's node selector.") Map<String, String> nodeSelector,
    @JsonPropertyDescription("The pod's tolerations.") List<Toleration> tolerations,
    @JsonPropertyDescription("The pod's affinity.") Affinity affinity,
    @JsonPropertyDescription("The pod's priority class.") String priorityClassName) {}
