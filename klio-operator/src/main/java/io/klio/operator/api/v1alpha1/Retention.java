package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * What each tier keeps.
 *
 * @param tier1 the policy of Tier 1
 * @param tier2 the policy of Tier 2 (it may keep longer than Tier 1)
 */
public record Retention(
    @JsonPropertyDescription("Policy of Tier 1.") RetentionPolicy tier1,
    @JsonPropertyDescription("Policy of Tier 2 (may keep longer than Tier 1).")
        RetentionPolicy tier2) {}
