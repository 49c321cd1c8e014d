package io.klio.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.klio.operator.api.v1alpha1.Server;
import io.klio.operator.api.v1alpha1.ServerSpec;
import io.klio.operator.tls.OperatorCa;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class ServerReconcilerTest {
  static KubernetesClient client;

  private String ns;
  private ServerReconciler reconciler;

  @BeforeEach
  void setUp() {
    MockCluster.installCrds(client);
    ns = MockCluster.namespace(client);
    reconciler = new ServerReconciler(client);
  }

  @Test
  void reconcilesAServerIntoItsObjectsAndStatus() throws Exception {
    Server server = MockCluster.create(client, ns, "klio", MockCluster.spec("klio:1.0", "10Gi"));
    reconciler.reconcile(ns, "klio");

    StatefulSet sts = statefulSet();
    assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
    assertThat(sts.getSpec().getServiceName()).isEqualTo("klio");
    var pod = sts.getSpec().getTemplate().getSpec();
    var klio = pod.getContainers().get(0);
    assertThat(klio.getImage()).isEqualTo("klio:1.0");
    assertThat(klio.getArgs())
        .containsExactly("server", "start", "--config", "/etc/klio/config/server.yaml");
    assertThat(klio.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("AWS_ACCESS_KEY_ID");
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3-credentials");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("id");
            });
    assertThat(klio.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .containsExactly(
            "data:/var/lib/klio",
            "tmp:/tmp",
            "config:/etc/klio/config",
            "tls:/etc/klio/tls",
            "kek:/etc/klio/kek");
    assertThat(pod.getInitContainers()).extracting(c -> c.getName()).containsExactly("key-ring");
    assertSecretVolume(pod, "kek", "klio-kek", "key", "kek");
    PersistentVolumeClaim template = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(template.getMetadata().getName()).isEqualTo("data");
    assertThat(template.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(template.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("10Gi"));

    Service svc = client.services().inNamespace(ns).withName("klio").get();
    assertThat(svc.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("grpc", 7433),
            org.assertj.core.groups.Tuple.tuple("http", 9187));
    assertThat(svc.getSpec().getSelector()).isEqualTo(Names.selector("klio"));
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(svc.getSpec().getSelector());

    String yaml = ServerTls.text(secret("klio-config"), "server.yaml");
    assertThat(yaml)
        .contains("listen: 0.0.0.0:7433")
        .contains("tier1:\n  path: \"/var/lib/klio\"")
        .contains(
            "tier2:\n  uri: \"s3://backups/site-a?region=eu-west-1&endpoint=http%3A%2F%2Fs3.local%3A9000\"")
        .contains("certificate: \"/etc/klio/tls/tls.crt\"")
        .contains("key: \"/etc/klio/tls/tls.key\"")
        .contains("clientCa: \"/etc/klio/tls/ca.crt\"")
        .contains("encryption:\n  kek: \"file:/etc/klio/kek/kek\"")
        .contains("http:\n  listen: 0.0.0.0:9187")
        .doesNotContain("s3-credentials");

    Secret ca = secret("klio-ca");
    Secret tls = secret("klio-tls");
    OperatorCa authority =
        OperatorCa.load(ServerTls.text(ca, "ca.crt"), ServerTls.text(ca, "ca.key"));
    X509Certificate cert = OperatorCa.parse(ServerTls.text(tls, "tls.crt"));
    assertThat(authority.issued(cert)).isTrue();
    assertThat(cert.getSubjectAlternativeNames())
        .extracting(n -> (Object) n.get(1))
        .contains((Object) ("klio." + ns + ".svc"), "klio", "klio." + ns + ".svc.cluster.local");
    assertThat(ServerTls.text(tls, "ca.crt")).isEqualTo(authority.certificatePem());

    for (HasMetadata child : List.of(sts, svc, ca, tls, secret("klio-config"))) {
      assertThat(child.getMetadata().getOwnerReferences())
          .as("owner of %s %s", child.getKind(), child.getMetadata().getName())
          .singleElement()
          .satisfies(o -> ownedBy(o, server));
    }

    Server after = MockCluster.get(client, ns, "klio");
    assertThat(after.getStatus().phase()).isEqualTo("Progressing");
    assertThat(after.getStatus().observedGeneration())
        .isEqualTo(after.getMetadata().getGeneration());
    assertThat(condition(after, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(after, "Ready").getReason()).isEqualTo("RolloutInProgress");
    assertThat(condition(after, "Degraded").getStatus()).isEqualTo("False");
    assertThat(MockCluster.events(client, ns, "Created"))
        .extracting(e -> e.getMessage())
        .contains("created StatefulSet klio", "created Service klio", "created Secret klio-config");

    // level-based and idempotent: the same world again writes nothing
    Map<String, String> versions = versions();
    reconciler.reconcile(ns, "klio");
    reconciler.reconcile(ns, "klio");
    assertThat(versions()).isEqualTo(versions);

    MockCluster.markRolledOut(client, ns, "klio");
    reconciler.reconcile(ns, "klio");
    Server ready = MockCluster.get(client, ns, "klio");
    assertThat(ready.getStatus().phase()).isEqualTo("Ready");
    assertThat(condition(ready, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(ready, "Progressing").getStatus()).isEqualTo("False");

    // deleting the Server: the children go by garbage collection (owner references, checked
    // above; the mock does not collect), and the reconciler recreates nothing
    client.resources(Server.class).inNamespace(ns).withName("klio").delete();
    reconciler.reconcile(ns, "klio");
    assertThat(MockCluster.get(client, ns, "klio")).isNull();
  }

  @Test
  void growsTheVolumeAndChangesTheImage() {
    MockCluster.create(client, ns, "klio", MockCluster.spec("klio:1.0", "10Gi"));
    reconciler.reconcile(ns, "klio");
    PersistentVolumeClaim pvc = statefulSetControllerMakesThePvc("10Gi");

    Server s = MockCluster.get(client, ns, "klio");
    s.setSpec(withSize(s.getSpec(), "klio:1.1", "20Gi"));
    client.resources(Server.class).inNamespace(ns).resource(s).update();
    reconciler.reconcile(ns, "klio");

    PersistentVolumeClaim grown =
        client.persistentVolumeClaims().inNamespace(ns).withName(pvc.getMetadata().getName()).get();
    assertThat(grown.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("20Gi"));
    StatefulSet sts = statefulSet();
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("klio:1.1");
    // the claim template cannot change in Kubernetes: the PVC is grown instead
    assertThat(
            sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("10Gi"));
    assertThat(sts.getMetadata().getAnnotations()).containsEntry(Names.TIER1_SIZE, "20Gi");
    Server after = MockCluster.get(client, ns, "klio");
    assertThat(after.getStatus().tier1Size()).isEqualTo("20Gi");
    assertThat(after.getStatus().observedGeneration())
        .isEqualTo(after.getMetadata().getGeneration());
    assertThat(condition(after, "Degraded").getStatus()).isEqualTo("False");
    assertThat(MockCluster.events(client, ns, "VolumeGrown"))
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("from 10Gi to 20Gi"));
  }

  @Test
  void refusesToShrinkTheVolume() {
    MockCluster.create(client, ns, "klio", MockCluster.spec("klio:1.0", "10Gi"));
    reconciler.reconcile(ns, "klio");
    statefulSetControllerMakesThePvc("10Gi");

    Server s = MockCluster.get(client, ns, "klio");
    s.setSpec(withSize(s.getSpec(), "klio:1.0", "5Gi"));
    client.resources(Server.class).inNamespace(ns).resource(s).update();
    reconciler.reconcile(ns, "klio");
    reconciler.reconcile(ns, "klio");

    Server after = MockCluster.get(client, ns, "klio");
    assertThat(after.getStatus().phase()).isEqualTo("Degraded");
    Condition degraded = condition(after, "Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("VolumeShrinkRefused");
    assertThat(degraded.getMessage())
        .startsWith("spec.tier1.size: the Tier 1 volume is 10Gi and cannot shrink to 5Gi");
    assertThat(after.getStatus().tier1Size()).isEqualTo("10Gi");
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(ns)
                .withName("data-klio-0")
                .get()
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage"))
        .isEqualTo(new Quantity("10Gi"));
    assertThat(MockCluster.events(client, ns, "VolumeShrinkRefused"))
        .as("one warning, not one per reconciliation")
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("spec.tier1.size");
            });
  }

  @Test
  void refusesAnInvalidTier2NamingTheField() {
    ServerSpec bad = MockCluster.spec("klio:1.0", "10Gi");
    bad =
        new ServerSpec(
            bad.image(),
            bad.tier1(),
            new io.klio.operator.api.v1alpha1.Tier2(null, null),
            null,
            null,
            null);
    MockCluster.create(client, ns, "klio", bad);
    reconciler.reconcile(ns, "klio");

    Server after = MockCluster.get(client, ns, "klio");
    assertThat(condition(after, "Degraded").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(after, "Degraded").getMessage())
        .isEqualTo("spec.tier2: set exactly one of s3 and azure");
    assertThat(statefulSet()).isNull();
  }

  @Test
  void repairsWhatWasChangedBehindItsBack() {
    MockCluster.create(client, ns, "klio", MockCluster.spec("klio:1.0", "10Gi"));
    reconciler.reconcile(ns, "klio");
    String caPem = ServerTls.text(secret("klio-ca"), "ca.crt");
    String yaml = ServerTls.text(secret("klio-config"), "server.yaml");

    client.secrets().inNamespace(ns).withName("klio-tls").delete();
    Secret config = secret("klio-config");
    config.setData(
        Map.of(
            "server.yaml",
            java.util.Base64.getEncoder()
                .encodeToString(
                    "tls:\n  insecure: true\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    client.secrets().inNamespace(ns).resource(config).update();
    reconciler.reconcile(ns, "klio");

    assertThat(ServerTls.text(secret("klio-config"), "server.yaml")).isEqualTo(yaml);
    Secret tls = secret("klio-tls");
    assertThat(ServerTls.text(tls, "ca.crt"))
        .as("the same CA issues the new certificate")
        .isEqualTo(caPem);
    OperatorCa ca = OperatorCa.load(caPem, ServerTls.text(secret("klio-ca"), "ca.key"));
    assertThat(ca.issued(OperatorCa.parse(ServerTls.text(tls, "tls.crt")))).isTrue();
  }

  @Test
  void rendersAzureTier2WithItsCredentialAsAFile() {
    ServerSpec s3 = MockCluster.spec("klio:1.0", "10Gi");
    ServerSpec azure =
        new ServerSpec(
            s3.image(),
            s3.tier1(),
            new io.klio.operator.api.v1alpha1.Tier2(
                null,
                new io.klio.operator.api.v1alpha1.AzureStore(
                    "klioprod",
                    "tier2",
                    "site-a",
                    null,
                    MockCluster.key("azure", "key1"),
                    null,
                    null)),
            null,
            null,
            null);
    MockCluster.create(client, ns, "klio", azure);
    reconciler.reconcile(ns, "klio");

    assertThat(ServerTls.text(secret("klio-config"), "server.yaml"))
        .contains(
            "uri: \"azure://klioprod/tier2/site-a?account-key-file=%2Fetc%2Fklio%2Ftier2%2Faccount-key\"")
        .doesNotContain("encryption:");
    var pod = statefulSet().getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).isEmpty();
    assertSecretVolume(pod, "tier2", "azure", "key1", "account-key");
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/klio/tier2"));
  }

  /** The pod mounts one key of a Secret as a file. */
  private static void assertSecretVolume(
      io.fabric8.kubernetes.api.model.PodSpec pod,
      String volume,
      String secret,
      String key,
      String file) {
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals(volume))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getSecret().getSecretName()).isEqualTo(secret);
              assertThat(v.getSecret().getItems().get(0).getKey()).isEqualTo(key);
              assertThat(v.getSecret().getItems().get(0).getPath()).isEqualTo(file);
            });
  }

  private PersistentVolumeClaim statefulSetControllerMakesThePvc(String size) {
    StatefulSet sts = statefulSet();
    PersistentVolumeClaim pvc =
        new PersistentVolumeClaimBuilder(sts.getSpec().getVolumeClaimTemplates().get(0))
            .editMetadata()
            .withName("data-klio-0")
            .withNamespace(ns)
            .endMetadata()
            .build();
    pvc.getSpec().getResources().setRequests(Map.of("storage", new Quantity(size)));
    return client.persistentVolumeClaims().inNamespace(ns).resource(pvc).create();
  }

  private static ServerSpec withSize(ServerSpec s, String image, String size) {
    return new ServerSpec(
        image,
        new io.klio.operator.api.v1alpha1.Tier1(new Quantity(size), s.tier1().storageClassName()),
        s.tier2(),
        s.encryption(),
        s.resources(),
        s.scheduling());
  }

  private Map<String, String> versions() {
    return Map.of(
        "server", MockCluster.get(client, ns, "klio").getMetadata().getResourceVersion(),
        "sts", statefulSet().getMetadata().getResourceVersion(),
        "svc",
            client
                .services()
                .inNamespace(ns)
                .withName("klio")
                .get()
                .getMetadata()
                .getResourceVersion(),
        "config", secret("klio-config").getMetadata().getResourceVersion(),
        "tls", secret("klio-tls").getMetadata().getResourceVersion(),
        "ca", secret("klio-ca").getMetadata().getResourceVersion(),
        "events", String.valueOf(client.v1().events().inNamespace(ns).list().getItems().size()));
  }

  private StatefulSet statefulSet() {
    return client.apps().statefulSets().inNamespace(ns).withName("klio").get();
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace(ns).withName(name).get();
  }

  private static void ownedBy(OwnerReference o, Server server) {
    assertThat(o.getApiVersion()).isEqualTo("klio.io/v1alpha1");
    assertThat(o.getKind()).isEqualTo("Server");
    assertThat(o.getName()).isEqualTo(server.getMetadata().getName());
    assertThat(o.getUid()).isEqualTo(server.getMetadata().getUid()).isNotBlank();
    assertThat(o.getController()).isTrue();
    assertThat(o.getBlockOwnerDeletion()).isTrue();
  }

  static Condition condition(Server s, String type) {
    return s.getStatus().conditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
