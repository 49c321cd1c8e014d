package io.klio.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.klio.cnpgi.identity.v1.GetPluginCapabilitiesRequest;
import io.klio.cnpgi.identity.v1.GetPluginMetadataRequest;
import io.klio.cnpgi.identity.v1.IdentityGrpc;
import io.klio.cnpgi.identity.v1.PluginCapability;
import io.klio.cnpgi.operator.v1.OperatorGrpc;
import io.klio.cnpgi.operator.v1.OperatorValidateClusterChangeRequest;
import io.klio.cnpgi.operator.v1.OperatorValidateClusterCreateRequest;
import io.klio.cnpgi.operator.v1.ValidationError;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleCapabilitiesRequest;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleGrpc;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleRequest;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorOperationType;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksGrpc;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksRequest;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksResult;
import io.klio.operator.api.v1alpha1.PluginConfiguration;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec;
import io.klio.operator.api.v1alpha1.PluginConfigurationSpec.Mode;
import io.klio.operator.cnpg.OperatorPluginServer;
import io.klio.operator.cnpg.PluginTls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator side of the plugin as CloudNativePG's operator calls it: gRPC over a real TCP socket
 * with mutual TLS, the client presenting the plugin client Secret's pair and trusting the server
 * Secret's certificate, against the fabric8 API mock holding the PluginConfigurations and Servers.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class OperatorPluginTest {
  static KubernetesClient client;

  private String ns;
  private OperatorPluginServer server;
  private ManagedChannel channel;
  private PluginTls.Pair tls;

  @BeforeEach
  void setUp() throws IOException {
    MockCluster.installCrds(client);
    ns = MockCluster.namespace(client);
    tls =
        PluginTls.ensure(
            client,
            ns,
            List.of("klio-plugin." + ns + ".svc"),
            "klio-plugin-server-tls",
            "klio-plugin-client-tls");
    server = OperatorPluginServer.start(0, tls.server(), client, "test");
    channel = channel(tls.client());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private ManagedChannel channel(PluginTls.Material m) throws IOException {
    ChannelCredentials creds =
        TlsChannelCredentials.newBuilder()
            .keyManager(stream(m.certificatePem()), stream(m.keyPem()))
            .trustManager(stream(m.trustPem()))
            .build();
    return Grpc.newChannelBuilderForAddress("localhost", server.port(), creds)
        .overrideAuthority("klio-plugin." + ns + ".svc")
        .build();
  }

  @Test
  void tlsMaterialIsKeptAcrossRestartsAndAClientWithoutACertificateIsRefused() throws Exception {
    PluginTls.Pair again =
        PluginTls.ensure(
            client,
            ns,
            List.of("klio-plugin." + ns + ".svc"),
            "klio-plugin-server-tls",
            "klio-plugin-client-tls");
    assertThat(again).isEqualTo(tls);
    ChannelCredentials anonymous =
        TlsChannelCredentials.newBuilder().trustManager(stream(tls.client().trustPem())).build();
    ManagedChannel noCert =
        Grpc.newChannelBuilderForAddress("localhost", server.port(), anonymous)
            .overrideAuthority("klio-plugin." + ns + ".svc")
            .build();
    try {
      assertThatThrownBy(
              () ->
                  IdentityGrpc.newBlockingStub(noCert)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .getPluginMetadata(GetPluginMetadataRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class)
          .satisfies(
              e ->
                  assertThat(((StatusRuntimeException) e).getStatus().getCode())
                      .isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      noCert.shutdownNow();
    }
  }

  @Test
  void identityAndCapabilities() {
    var id = IdentityGrpc.newBlockingStub(channel);
    assertThat(id.getPluginMetadata(GetPluginMetadataRequest.getDefaultInstance()).getName())
        .isEqualTo("klio.cloudnative-pg.io");
    assertThat(
            id
                .getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance())
                .getCapabilitiesList()
                .stream()
                .map(c -> c.getService().getType()))
        .containsExactlyInAnyOrder(
            PluginCapability.Service.Type.TYPE_OPERATOR_SERVICE,
            PluginCapability.Service.Type.TYPE_LIFECYCLE_SERVICE,
            PluginCapability.Service.Type.TYPE_RECONCILER_HOOKS);
    var caps =
        OperatorLifecycleGrpc.newBlockingStub(channel)
            .getCapabilities(OperatorLifecycleCapabilitiesRequest.getDefaultInstance())
            .getLifecycleCapabilitiesList();
    assertThat(caps).hasSize(2);
    assertThat(caps.get(0).getKind()).isEqualTo("Pod");
    assertThat(caps.get(1).getGroup()).isEqualTo("batch");
  }

  @Test
  void validationNamesTheField() {
    var op = OperatorGrpc.newBlockingStub(channel);
    List<ValidationError> errors =
        op.validateClusterCreate(
                OperatorValidateClusterCreateRequest.newBuilder()
                    .setDefinition(
                        cluster(
                            "{\"isWALArchiver\":true,\"parameters\":{\"serverRef\":\"x\"}}", ""))
                    .build())
            .getValidationErrorsList();
    assertThat(errors)
        .extracting(e -> String.join(".", e.getPathComponentsList()))
        .containsExactlyInAnyOrder(
            "spec.plugins.0.isWALArchiver",
            "spec.plugins.0.parameters.pluginConfiguration",
            "spec.plugins.0.parameters.serverRef");
    assertThat(errors.get(0).getMessage()).contains("remove isWALArchiver");

    assertThat(
            op.validateClusterCreate(
                    OperatorValidateClusterCreateRequest.newBuilder()
                        .setDefinition(cluster(params("pg-main"), ""))
                        .build())
                .getValidationErrorsList())
        .isEmpty();
    // moving a running Cluster to another configuration would split its WAL
    List<ValidationError> change =
        op.validateClusterChange(
                OperatorValidateClusterChangeRequest.newBuilder()
                    .setOldCluster(cluster(params("pg-main"), ""))
                    .setNewCluster(cluster(params("pg-other"), ""))
                    .build())
            .getValidationErrorsList();
    assertThat(change)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getPathComponentsList())
                  .containsExactly("spec", "plugins", "0", "parameters", "pluginConfiguration");
              assertThat(e.getValue()).isEqualTo("pg-other");
            });
    assertThatThrownBy(
            () ->
                op.validateClusterCreate(
                    OperatorValidateClusterCreateRequest.newBuilder()
                        .setDefinition(ByteString.copyFromUtf8("not json"))
                        .build()))
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e).getCode())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("definition");
  }

  @Test
  void reconcilerAndLifecycleWaitForAReadyConfigurationThenInjectTheSidecar() throws Exception {
    var hooks = ReconcilerHooksGrpc.newBlockingStub(channel);
    var lifecycle = OperatorLifecycleGrpc.newBlockingStub(channel);
    ByteString cluster = cluster(params("pg-main"), "");
    ReconcilerHooksResult missing =
        hooks.pre(ReconcilerHooksRequest.newBuilder().setClusterDefinition(cluster).build());
    assertThat(missing.getBehavior()).isEqualTo(ReconcilerHooksResult.Behavior.BEHAVIOR_REQUEUE);
    assertThat(missing.getRequeueAfter()).isPositive();
    OperatorLifecycleRequest podCreate =
        OperatorLifecycleRequest.newBuilder()
            .setOperationType(
                OperatorOperationType.newBuilder().setType(OperatorOperationType.Type.TYPE_CREATE))
            .setClusterDefinition(cluster)
            .setObjectDefinition(resource("pod-1.30.json"))
            .build();
    assertThatThrownBy(() -> lifecycle.lifecycleHook(podCreate))
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e).getCode())
                    .isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("PluginConfiguration pg-main does not exist in namespace " + ns);

    // the Server and the configuration become Ready
    MockCluster.create(client, ns, "klio", MockCluster.spec("ghcr.io/klio/klio:0.1.0", "10Gi"));
    ServerReconciler servers = new ServerReconciler(client);
    servers.reconcile(ns, "klio");
    MockCluster.markRolledOut(client, ns, "klio");
    servers.reconcile(ns, "klio");
    PluginConfiguration pc = new PluginConfiguration();
    pc.setMetadata(new ObjectMetaBuilder().withName("pg-main").withNamespace(ns).build());
    pc.setSpec(new PluginConfigurationSpec("klio", null, Mode.STANDARD, null, null, null));
    client.resources(PluginConfiguration.class).inNamespace(ns).resource(pc).create();
    new PluginConfigurationReconciler(client).reconcile(ns, "pg-main");

    assertThat(
            hooks
                .pre(ReconcilerHooksRequest.newBuilder().setClusterDefinition(cluster).build())
                .getBehavior())
        .isEqualTo(ReconcilerHooksResult.Behavior.BEHAVIOR_CONTINUE);
    String patch = lifecycle.lifecycleHook(podCreate).getJsonPatch().toStringUtf8();
    assertThat(patch)
        .contains("\"klio-plugin\"")
        .contains("ghcr.io/klio/klio:0.1.0")
        .contains("\"pg-main-klio\"")
        .contains("\"--send-wal\"");
    // a Cluster that does not use the plugin: no patch, no wait
    ByteString other =
        ByteString.copyFromUtf8(
            "{\"metadata\":{\"name\":\"x\",\"namespace\":\"" + ns + "\"},\"spec\":{}}");
    assertThat(
            lifecycle
                .lifecycleHook(podCreate.toBuilder().setClusterDefinition(other).build())
                .getJsonPatch())
        .isEmpty();
    assertThat(
            hooks
                .pre(ReconcilerHooksRequest.newBuilder().setClusterDefinition(other).build())
                .getBehavior())
        .isEqualTo(ReconcilerHooksResult.Behavior.BEHAVIOR_CONTINUE);
  }

  private static String params(String pc) {
    return "{\"parameters\":{\"pluginConfiguration\":\"" + pc + "\"}}";
  }

  /** A Cluster using the plugin with the given spec.plugins[0] fields (a JSON object). */
  private ByteString cluster(String pluginFields, String status) {
    String entry = "{\"name\":\"klio.cloudnative-pg.io\"," + pluginFields.substring(1);
    return ByteString.copyFromUtf8(
        "{\"apiVersion\":\"postgresql.cnpg.io/v1\",\"kind\":\"Cluster\",\"metadata\":{\"name\":\"pg\",\"namespace\":\""
            + ns
            + "\"},\"spec\":{\"instances\":3,\"plugins\":["
            + entry
            + "]},\"status\":{"
            + status
            + "}}");
  }

  private static ByteString resource(String name) throws IOException {
    try (InputStream in = OperatorPluginTest.class.getResourceAsStream("/cnpg/" + name)) {
      return ByteString.readFrom(in);
    }
  }

  private static InputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
