package io.klio.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.klio.operator.api.v1alpha1.PluginConfiguration;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The informers and the work queue drive the reconcilers as the world changes. */
@EnableKubernetesMockClient(crud = true, https = false)
class KlioOperatorTest {
  static KubernetesClient client;

  @Test
  void reconcilesWhatChangesThroughItsInformers() throws InterruptedException {
    MockCluster.installCrds(client);
    String ns = MockCluster.namespace(client);
    try (KlioOperator operator = new KlioOperator(client, ns)) {
      operator.start();
      MockCluster.create(client, ns, "klio", MockCluster.spec("klio:1.0", "10Gi"));
      PluginConfiguration pc = new PluginConfiguration();
      pc.setMetadata(new ObjectMetaBuilder().withName("pg-main").withNamespace(ns).build());
      pc.setSpec(new PluginConfigurationSpec("klio", null, null, null, null, null));
      client.resources(PluginConfiguration.class).inNamespace(ns).resource(pc).create();

      awaitTrue(
          "the StatefulSet is made and the PluginConfiguration waits for its Server",
          () -> {
            var p = pluginConfiguration(ns);
            return client.apps().statefulSets().inNamespace(ns).withName("klio").get() != null
                && p.getStatus() != null
                && "ServerNotReady"
                    .equals(PluginConfigurationReconcilerTest.condition(p, "Ready").getReason());
          });

      // the StatefulSet controller's report: the Server becomes Ready, and then its configuration
      MockCluster.markRolledOut(client, ns, "klio");
      awaitTrue(
          "the PluginConfiguration is Ready",
          () -> {
            var p = pluginConfiguration(ns);
            return "Ready".equals(p.getStatus().phase());
          });
      assertThat(MockCluster.get(client, ns, "klio").getStatus().phase()).isEqualTo("Ready");
    }
  }

  private static PluginConfiguration pluginConfiguration(String ns) {
    return client.resources(PluginConfiguration.class).inNamespace(ns).withName("pg-main").get();
  }

  private static void awaitTrue(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("in time: " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
