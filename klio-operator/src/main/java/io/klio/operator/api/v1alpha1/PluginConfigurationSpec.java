package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How a CloudNativePG {@code Cluster} uses a Klio server.
 *
 * @param serverRef the name of the {@link Server}, in the same namespace
 * @param clusterName the name the cluster is archived under; none: this resource's name
 * @param mode {@code standard}, or {@code read-only} (disaster recovery from Tier 2)
 * @param synchronous whether send-wal runs synchronously (zero RPO); not with read-only
 * @param walPrefetch WAL segments fetched ahead during recovery (0 to 64)
 * @param retention what each tier keeps
 */
@ValidationRule(
    value =
        "!(has(self.mode) && self.mode == 'read-only' && has(self.synchronous) && self.synchronous)",
    message =
        "spec.synchronous: a read-only configuration streams no WAL, so it cannot be synchronous",
    fieldPath = ".synchronous")
@ValidationRule(
    value =
        "!(has(self.mode) && self.mode == 'read-only' && has(self.retention) && has(self.retention.tier1))",
    message = "spec.retention.tier1: a read-only configuration has no Tier 1 to keep",
    fieldPath = ".retention.tier1")
public record PluginConfigurationSpec(
    @Required @JsonPropertyDescription("Name of the Server, in the same namespace.")
        String serverRef,
    @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
        @JsonPropertyDescription(
            "Name the cluster is archived under (a DNS label); none: this resource's name.")
        String clusterName,
    @JsonPropertyDescription(
            "standard (default), or read-only: recovery from Tier 2 only, nothing archived.")
        Mode mode,
    @JsonPropertyDescription("Synchronous WAL streaming (zero RPO); not with read-only.")
        Boolean synchronous,
    @Min(0)
        @Max(64)
        @JsonPropertyDescription("WAL segments fetched ahead during recovery (0-64; default 4).")
        Integer walPrefetch,
    @JsonPropertyDescription("What each tier keeps.") Retention retention) {

  /** The mode of a plugin configuration. */
  public enum Mode {
    /** Archives WAL and backups, restores from both tiers. */
    @com.fasterxml.jackson.annotation.JsonProperty("standard")
    STANDARD,
    /** Archives nothing; restores from Tier 2 (a disaster-recovery site). */
    @com.fasterxml.jackson.annotation.JsonProperty("read-only")
    READ_ONLY
  }
}
