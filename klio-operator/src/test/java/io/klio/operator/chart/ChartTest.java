package io.klio.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code charts/klio} as Helm sees it: lint, template with default and non-default values, every
 * manifest in its typed model, the CRDs the build generates, and values the schema refuses.
 */
class ChartTest {

  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void defaultValuesRenderTheOperatorItsRbacAndThePluginService() {
    RenderedChart chart = RenderedChart.render(Map.of());
    assertThat(chart.kinds())
        .containsExactlyInAnyOrder(
            "ServiceAccount/klio",
            "ClusterRole/klio",
            "ClusterRoleBinding/klio",
            "Role/klio-local",
            "RoleBinding/klio-local",
            "Service/klio-plugin",
            "Service/klio-metrics",
            "Deployment/klio");
    chart.objects.forEach(
        o -> {
          if (!o.getKind().startsWith("Cluster")) {
            assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("cnpg-system");
          }
        });

    Deployment d = chart.one(Deployment.class, "klio");
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(pod.getServiceAccountName()).isEqualTo("klio");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("klio:0.1.0-SNAPSHOT");
    assertThat(c.getCommand()).containsExactly("klio-operator");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8080", "cnpg-i:9090");
    assertThat(c.getResources().getLimits()).containsEntry("memory", new Quantity("512Mi"));
    assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("100m"));
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp");
    Map<String, String> env = env(c);
    assertThat(env)
        .containsEntry("WATCH_NAMESPACE", "")
        .containsEntry("KLIO_OPERATOR_HTTP_PORT", "8080")
        .containsEntry("KLIO_OPERATOR_LEADER_ELECTION", "true")
        .containsEntry("KLIO_OPERATOR_LEASE_NAME", "klio-leader")
        .containsEntry("KLIO_OPERATOR_LEASE_DURATION", "15s")
        .containsEntry("KLIO_PLUGIN_ISSUE_CERTIFICATES", "true")
        .containsEntry("KLIO_PLUGIN_SERVER_SECRET", "klio-plugin-server-tls")
        .containsEntry("KLIO_PLUGIN_CLIENT_SECRET", "klio-plugin-client-tls")
        .containsEntry(
            "KLIO_PLUGIN_DNS_NAMES",
            "klio-plugin,klio-plugin.cnpg-system,klio-plugin.cnpg-system.svc,"
                + "klio-plugin.cnpg-system.svc.cluster.local");

    // what CloudNativePG discovers the plugin by
    Service plugin = chart.one(Service.class, "klio-plugin");
    assertThat(plugin.getMetadata().getLabels())
        .containsEntry("cnpg.io/pluginName", "klio.cloudnative-pg.io");
    assertThat(plugin.getMetadata().getAnnotations())
        .containsEntry("cnpg.io/pluginPort", "9090")
        .containsEntry("cnpg.io/pluginClientSecret", "klio-plugin-client-tls")
        .containsEntry("cnpg.io/pluginServerSecret", "klio-plugin-server-tls");
    assertThat(plugin.getSpec().getSelector())
        .isEqualTo(d.getSpec().getSelector().getMatchLabels());
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(plugin.getSpec().getSelector());
    assertThat(plugin.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("cnpg-i");

    // least privilege: exactly what the reconcilers use, nothing on Pods
    ClusterRole role = chart.one(ClusterRole.class, "klio");
    assertThat(grants(role.getRules()))
        .containsExactlyInAnyOrder(
            "klio.io/servers:get,list,watch",
            "klio.io/pluginconfigurations:get,list,watch",
            "klio.io/servers/status:update",
            "klio.io/pluginconfigurations/status:update",
            "apps/statefulsets:create,get,list,update,watch",
            "/secrets:create,get,update",
            "/services:create,get,update",
            "/persistentvolumeclaims:get,update",
            "/events:create");
    assertThat(grants(chart.one(Role.class, "klio-local").getRules()))
        .containsExactlyInAnyOrder(
            "coordination.k8s.io/leases:create,get,update", "/secrets:create,get,update");
    ClusterRoleBinding binding = chart.one(ClusterRoleBinding.class, "klio");
    assertThat(binding.getRoleRef().getName()).isEqualTo("klio");
    assertThat(binding.getSubjects().get(0).getName())
        .isEqualTo(chart.one(ServiceAccount.class, "klio").getMetadata().getName());
    assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo("cnpg-system");
  }

  @Test
  void nonDefaultValuesRenderCertManagerAServiceMonitorAndANamespacedRole() {
    RenderedChart chart =
        RenderedChart.render(
            Map.of(
                "fullnameOverride", "backup",
                "image.repository", "registry.example/klio",
                "image.tag", "1.2.3",
                "operator.replicas", "2",
                "operator.watchNamespace", "databases",
                "operator.httpPort", "8081",
                "certManager.enabled", "true",
                "metrics.serviceMonitor.enabled", "true",
                "metrics.serviceMonitor.labels.release", "prom",
                "plugin.service.annotations.example\\.com/team", "db"));
    assertThat(chart.kinds())
        .containsExactlyInAnyOrder(
            "ServiceAccount/backup",
            "Role/backup",
            "RoleBinding/backup",
            "Role/backup-local",
            "RoleBinding/backup-local",
            "Service/backup-plugin",
            "Service/backup-metrics",
            "Deployment/backup",
            "Issuer/backup-selfsigned",
            "Certificate/backup-ca",
            "Issuer/backup-ca",
            "Certificate/backup-plugin-server",
            "Certificate/backup-plugin-client",
            "ServiceMonitor/backup");
    assertThat(chart.all(ClusterRole.class)).isEmpty();
    assertThat(chart.one(Role.class, "backup").getMetadata().getNamespace()).isEqualTo("databases");
    RoleBinding rb = chart.one(RoleBinding.class, "backup");
    assertThat(rb.getMetadata().getNamespace()).isEqualTo("databases");
    assertThat(rb.getSubjects().get(0).getNamespace()).isEqualTo("cnpg-system");
    // cert-manager issues the plugin's Secrets: the operator needs no Secret rights of its own here
    assertThat(grants(chart.one(Role.class, "backup-local").getRules()))
        .containsExactly("coordination.k8s.io/leases:create,get,update");

    Deployment d = chart.one(Deployment.class, "backup");
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("registry.example/klio:1.2.3");
    assertThat(env(c))
        .containsEntry("WATCH_NAMESPACE", "databases")
        .containsEntry("KLIO_OPERATOR_HTTP_PORT", "8081")
        .containsEntry("KLIO_PLUGIN_ISSUE_CERTIFICATES", "false");

    Service plugin = chart.one(Service.class, "backup-plugin");
    assertThat(plugin.getMetadata().getAnnotations())
        .containsEntry("cnpg.io/pluginServerSecret", "backup-plugin-server-tls")
        .containsEntry("example.com/team", "db");
    GenericKubernetesResource server = chart.foreign("Certificate", "backup-plugin-server");
    assertThat(server.<String>get("spec", "secretName")).isEqualTo("backup-plugin-server-tls");
    assertThat(server.<List<String>>get("spec", "dnsNames"))
        .contains("backup-plugin.cnpg-system.svc");
    assertThat(server.<String>get("spec", "issuerRef", "name")).isEqualTo("backup-ca");
    GenericKubernetesResource client = chart.foreign("Certificate", "backup-plugin-client");
    assertThat(client.<String>get("spec", "secretName")).isEqualTo("backup-plugin-client-tls");
    assertThat(client.<List<String>>get("spec", "usages")).containsExactly("client auth");
    assertThat(chart.foreign("Issuer", "backup-ca").<String>get("spec", "ca", "secretName"))
        .isEqualTo(chart.foreign("Certificate", "backup-ca").<String>get("spec", "secretName"));

    GenericKubernetesResource monitor = chart.foreign("ServiceMonitor", "backup");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prom");
    Service metrics = chart.one(Service.class, "backup-metrics");
    assertThat(monitor.<Map<String, String>>get("spec", "selector", "matchLabels"))
        .isEqualTo(
            metrics.getMetadata().getLabels().entrySet().stream()
                .filter(e -> !e.getKey().equals("app.kubernetes.io/version"))
                .filter(e -> !e.getKey().equals("app.kubernetes.io/managed-by"))
                .filter(e -> !e.getKey().equals("helm.sh/chart"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    assertThat(metrics.getSpec().getPorts().get(0).getPort()).isEqualTo(8081);
  }

  @ParameterizedTest
  @ValueSource(strings = {"servers.klio.io-v1.yml", "pluginconfigurations.klio.io-v1.yml"})
  void chartCrdsAreTheGeneratedOnes(String name) throws IOException {
    String generated;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/fabric8/" + name)) {
      assertThat(in).as("generated by the build: " + name).isNotNull();
      generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String inChart = Files.readString(RenderedChart.CHART.resolve("crds").resolve(name));
    assertThat(inChart)
        .as("charts/klio/crds/" + name + " must be copied from klio-operator/crds/" + name)
        .isEqualTo(generated);
    var crds = RenderedChart.parse(inChart);
    assertThat(crds).singleElement().isInstanceOf(CustomResourceDefinition.class);
  }

  @Test
  void valuesTheSchemaOrTheTemplatesRefuse() {
    assertRefused(Map.of("operator.replicas", "0"), "/operator/replicas");
    assertRefused(Map.of("operator.replica", "2"), "replica");
    assertRefused(Map.of("image.pullPolicy", "Sometimes"), "/image/pullPolicy");
    assertRefused(Map.of("operator.httpPort", "70000"), "/operator/httpPort");
    assertRefused(Map.of("certManager.duration", "90 days"), "/certManager/duration");
    assertRefused(
        Map.of("operator.replicas", "2", "leaderElection.enabled", "false"),
        "needs leaderElection.enabled");
    assertRefused(
        Map.of("metrics.serviceMonitor.enabled", "true", "metrics.service.create", "false"),
        "needs metrics.service.create");
  }

  private static void assertRefused(Map<String, Object> values, String message) {
    assertThatThrownBy(() -> RenderedChart.render(values))
        .as("refused: " + values)
        .hasMessageContaining(message);
  }

  private static Map<String, String> env(Container c) {
    return c.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  /** Each rule as {@code group/resource:verbs} (verbs sorted), one entry per resource. */
  static List<String> grants(List<PolicyRule> rules) {
    return rules.stream()
        .flatMap(
            r ->
                r.getApiGroups().stream()
                    .flatMap(
                        g ->
                            r.getResources().stream()
                                .map(
                                    res ->
                                        g
                                            + "/"
                                            + res
                                            + ":"
                                            + String.join(",", new TreeSet<>(r.getVerbs())))))
        .toList();
  }
}
