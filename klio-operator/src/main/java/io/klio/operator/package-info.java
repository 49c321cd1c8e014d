/**
 * The Kubernetes operator: the {@code Server} and {@code PluginConfiguration} resources, their
 * reconcilers, the CNPG-I operator-side services and the Helm chart. Work on this module arrives
 * with its own issue.
 */
package io.klio.operator;
