package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A retention policy: a recovery window, a number of backups, or both (a backup is kept when either
 * keeps it). At least one must be set.
 *
 * @param recoveryWindow such as {@code 7d}, {@code 4w}, {@code 12h}
 * @param keepBackups how many of the newest backups to keep (at least 1)
 */
@ValidationRule(
    value = "has(self.recoveryWindow) || has(self.keepBackups)",
    message = "set recoveryWindow, keepBackups or both")
public record RetentionPolicy(
    @Pattern("^[1-9][0-9]*[hdw]$")
        @JsonPropertyDescription("Recovery window: hours, days or weeks, such as 7d.")
        String recoveryWindow,
    @Min(1) @JsonPropertyDescription("How many of the newest backups to keep.")
        Integer keepBackups) {}
