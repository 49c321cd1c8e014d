package io.klio.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.klio.operator.api.v1alpha1.PluginConfiguration;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec.Mode;
import io.klio.operator.api.v1alpha1.Retention;
import io.klio.operator.api.v1alpha1.RetentionPolicy;
import io.klio.operator.api.v1alpha1.ServerSpec;
import io.klio.operator.tls.OperatorCa;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class PluginConfigurationReconcilerTest {
  static KubernetesClient client;

  private String ns;
  private PluginConfigurationReconciler reconciler;

  @BeforeEach
  void setUp() {
    MockCluster.installCrds(client);
    ns = MockCluster.namespace(client);
    reconciler = new PluginConfigurationReconciler(client);
  }

  @Test
  void refusesReadOnlyWithSynchronousNamingTheField() {
    create("pg-dr", new PluginConfigurationSpec("klio", null, Mode.READ_ONLY, true, null, null));
    reconciler.reconcile(ns, "pg-dr");
    reconciler.reconcile(ns, "pg-dr");

    PluginConfiguration pc = get("pg-dr");
    assertThat(pc.getStatus().phase()).isEqualTo("Degraded");
    assertThat(condition(pc, "Ready").getStatus()).isEqualTo("False");
    Condition degraded = condition(pc, "Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
    assertThat(degraded.getMessage())
        .startsWith("spec.synchronous: a read-only configuration streams no WAL");
    assertThat(MockCluster.events(client, ns, "InvalidSpec"))
        .as("one warning event naming the field, not one per reconciliation")
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).startsWith("spec.synchronous:");
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("PluginConfiguration");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("pg-dr");
            });
  }

  @Test
  void refusesReadOnlyOnAServerWithoutTier2AndTier1RetentionOnReadOnly() {
    ServerSpec full = MockCluster.spec("klio:1.0", "10Gi");
    MockCluster.create(
        client, ns, "klio", new ServerSpec(full.image(), full.tier1(), null, null, null, null));
    create("pg-dr", new PluginConfigurationSpec("klio", "pg-main", Mode.READ_ONLY, null, 8, null));
    reconciler.reconcile(ns, "pg-dr");
    assertThat(condition(get("pg-dr"), "Degraded").getMessage())
        .startsWith("spec.mode: read-only restores from Tier 2, and Server klio has no spec.tier2");

    create(
        "pg-dr2",
        new PluginConfigurationSpec(
            "klio",
            null,
            Mode.READ_ONLY,
            null,
            null,
            new Retention(new RetentionPolicy("7d", null), null)));
    reconciler.reconcile(ns, "pg-dr2");
    assertThat(condition(get("pg-dr2"), "Degraded").getMessage())
        .startsWith("spec.retention.tier1: a read-only configuration has no Tier 1");
  }

  @Test
  void waitsWhileItsServerIsNotReady() {
    PluginConfigurationSpec spec =
        new PluginConfigurationSpec(
            "klio",
            "pg-main",
            Mode.STANDARD,
            true,
            4,
            new Retention(new RetentionPolicy("7d", 2), new RetentionPolicy("30d", null)));
    create("pg-main", spec);
    reconciler.reconcile(ns, "pg-main");
    PluginConfiguration pc = get("pg-main");
    assertThat(condition(pc, "Ready").getReason()).isEqualTo("ServerNotFound");
    assertThat(condition(pc, "Ready").getMessage())
        .isEqualTo("Server klio does not exist in namespace " + ns);

    MockCluster.create(client, ns, "klio", MockCluster.spec("klio:1.0", "10Gi"));
    ServerReconciler servers = new ServerReconciler(client);
    servers.reconcile(ns, "klio");
    reconciler.reconcile(ns, "pg-main");
    pc = get("pg-main");
    assertThat(pc.getStatus().phase()).isEqualTo("Progressing");
    assertThat(condition(pc, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(pc, "Ready").getReason()).isEqualTo("ServerNotReady");
    assertThat(condition(pc, "Ready").getMessage())
        .isEqualTo("waiting for Server klio to be Ready");
    assertThat(condition(pc, "Progressing").getStatus()).isEqualTo("True");
    assertThat(condition(pc, "Degraded").getStatus()).isEqualTo("False");

    MockCluster.markRolledOut(client, ns, "klio");
    servers.reconcile(ns, "klio");
    reconciler.reconcile(ns, "pg-main");
    pc = get("pg-main");
    assertThat(pc.getStatus().phase()).isEqualTo("Ready");
    assertThat(condition(pc, "Ready").getStatus()).isEqualTo("True");
    assertThat(pc.getStatus().observedGeneration()).isEqualTo(pc.getMetadata().getGeneration());

    // the sidecar's Secret: client.yaml and a client certificate for cluster pg-main from the
    // Server's CA, owned by the configuration, and kept as it is by the next reconciliation
    Secret sidecar = client.secrets().inNamespace(ns).withName("pg-main-klio").get();
    assertThat(sidecar.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("PluginConfiguration"));
    assertThat(ServerTls.text(sidecar, "client.yaml"))
        .contains("cluster: pg-main\n")
        .contains("server: klio." + ns + ".svc:7433\n")
        .contains("  serverName: klio." + ns + ".svc\n")
        .contains("  synchronous: true\n")
        .contains("  prefetch: 4\n");
    Secret ca = client.secrets().inNamespace(ns).withName("klio-ca").get();
    OperatorCa serverCa =
        OperatorCa.load(ServerTls.text(ca, "ca.crt"), ServerTls.text(ca, "ca.key"));
    X509Certificate cert = OperatorCa.parse(ServerTls.text(sidecar, "tls.crt"));
    assertThat(serverCa.issued(cert)).isTrue();
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=pg-main");
    assertThat(ServerTls.text(sidecar, "ca.crt")).isEqualTo(serverCa.certificatePem());
    assertThat(MockCluster.events(client, ns, "SidecarSecret")).hasSize(1);
    reconciler.reconcile(ns, "pg-main");
    assertThat(client.secrets().inNamespace(ns).withName("pg-main-klio").get().getData())
        .isEqualTo(sidecar.getData());
    assertThat(MockCluster.events(client, ns, "SidecarSecret")).hasSize(1);
  }

  private void create(String name, PluginConfigurationSpec spec) {
    PluginConfiguration pc = new PluginConfiguration();
    pc.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    pc.setSpec(spec);
    client.resources(PluginConfiguration.class).inNamespace(ns).resource(pc).create();
  }

  private PluginConfiguration get(String name) {
    return client.resources(PluginConfiguration.class).inNamespace(ns).withName(name).get();
  }

  static Condition condition(PluginConfiguration pc, String type) {
    return pc.getStatus().conditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
