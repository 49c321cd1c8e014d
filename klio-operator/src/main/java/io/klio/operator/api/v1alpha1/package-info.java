/**
 * The {@code klio.io/v1alpha1} resources as Java types: {@link
 * io.klio.operator.api.v1alpha1.Server} and {@link
 * io.klio.operator.api.v1alpha1.PluginConfiguration}. Their CRDs are generated from these types at
 * build time (fabric8's crd-generator); never edit the YAML by hand. Absent optional fields are
 * {@code null}, as Jackson reads them.
 */
package io.klio.operator.api.v1alpha1;
