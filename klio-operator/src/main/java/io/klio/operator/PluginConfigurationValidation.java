package io.klio.operator;

import io.klio.operator.api.v1alpha1.PluginConfigurationSpec;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec.Mode;
import io.klio.operator.api.v1alpha1.RetentionPolicy;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Refuses contradictory or malformed plugin configurations; each refusal starts with the field it
 * is about, and says what to do instead.
 */
final class PluginConfigurationValidation {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern WINDOW = Pattern.compile("[1-9][0-9]*[hdw]");

  private PluginConfigurationValidation() {}

  static Optional<String> check(PluginConfigurationSpec spec) {
    if (spec == null || spec.serverRef() == null || spec.serverRef().isBlank()) {
      return Optional.of("spec.serverRef: required, the name of a Server in this namespace");
    }
    if (spec.clusterName() != null && !DNS_LABEL.matcher(spec.clusterName()).matches()) {
      return Optional.of(
          "spec.clusterName: '" + spec.clusterName() + "' is not a DNS label (such as pg-main)");
    }
    boolean readOnly = spec.mode() == Mode.READ_ONLY;
    if (readOnly && Boolean.TRUE.equals(spec.synchronous())) {
      return Optional.of(
          "spec.synchronous: a read-only configuration streams no WAL, so it cannot be synchronous;"
              + " remove spec.synchronous or set spec.mode to standard");
    }
    if (spec.walPrefetch() != null && (spec.walPrefetch() < 0 || spec.walPrefetch() > 64)) {
      return Optional.of("spec.walPrefetch: " + spec.walPrefetch() + " is not within 0 to 64");
    }
    if (spec.retention() != null) {
      if (readOnly && spec.retention().tier1() != null) {
        return Optional.of(
            "spec.retention.tier1: a read-only configuration has no Tier 1 to keep;"
                + " remove it, or set spec.mode to standard");
      }
      Optional<String> t1 = policy("spec.retention.tier1", spec.retention().tier1());
      if (t1.isPresent()) {
        return t1;
      }
      return policy("spec.retention.tier2", spec.retention().tier2());
    }
    return Optional.empty();
  }

  private static Optional<String> policy(String field, RetentionPolicy p) {
    if (p == null) {
      return Optional.empty();
    }
    if (p.recoveryWindow() == null && p.keepBackups() == null) {
      return Optional.of(field + ": set recoveryWindow, keepBackups or both");
    }
    if (p.recoveryWindow() != null && !WINDOW.matcher(p.recoveryWindow()).matches()) {
      return Optional.of(
          field + ".recoveryWindow: '" + p.recoveryWindow() + "' is not such as 12h, 7d or 4w");
    }
    if (p.keepBackups() != null && p.keepBackups() < 1) {
      return Optional.of(field + ".keepBackups: must be at least 1");
    }
    return Optional.empty();
  }
}
