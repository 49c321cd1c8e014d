package io.klio.operator.cnpg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class SidecarTest {
  private static final Sidecar.Spec SPEC =
      new Sidecar.Spec(
          "ghcr.io/klio/klio:0.1.0", "pg-main-klio", Optional.of("IfNotPresent"), true);

  @ParameterizedTest
  @ValueSource(strings = {"pod-1.30.json", "pod-main-bootstrap.json"})
  void podGetsANativeSidecarBeforeCloudNativePgsInitContainers(String sample) throws IOException {
    JsonNode pod = sample(sample);
    byte[] patch = Sidecar.podPatch(pod, SPEC);
    assertThat(patch).isNotEmpty();
    JsonNode patched = JsonPatch.apply(ClusterPlugin.JSON.readTree(patch), pod);
    Pod typed = Serialization.unmarshal(ClusterPlugin.JSON.writeValueAsString(patched), Pod.class);
    PodSpec spec = typed.getSpec();
    valid(spec);

    Container sidecar = spec.getInitContainers().get(0);
    assertThat(sidecar.getName()).isEqualTo("klio-plugin");
    assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
    assertThat(sidecar.getImage()).isEqualTo("ghcr.io/klio/klio:0.1.0");
    assertThat(sidecar.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(sidecar.getArgs())
        .containsExactly(
            "plugin",
            "serve",
            "--config",
            "/etc/klio/client/client.yaml",
            "--socket",
            "/plugins/klio.cloudnative-pg.io",
            "--send-wal");
    // CloudNativePG's own init containers follow, unchanged and in their order
    List<JsonNode> before = list(pod.path("spec").path("initContainers"));
    assertThat(spec.getInitContainers()).hasSize(before.size() + 1);
    for (int i = 0; i < before.size(); i++) {
      assertThat(spec.getInitContainers().get(i + 1).getName())
          .isEqualTo(before.get(i).path("name").asString());
    }
    Container postgres = spec.getContainers().get(0);
    assertThat(mount(postgres, "/plugins")).map(VolumeMount::getName).contains("plugins");
    // the sidecar sees what PostgreSQL sees: PGDATA, the data and WAL volumes, /controller
    assertThat(sidecar.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("PGDATA"));
    assertThat(sidecar.getEnv().stream().filter(e -> e.getName().equals("NAMESPACE")))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.namespace"));
    for (VolumeMount m : postgres.getVolumeMounts()) {
      assertThat(mount(sidecar, m.getMountPath())).as(m.getMountPath()).isPresent();
    }
    assertThat(mount(sidecar, "/etc/klio/client"))
        .hasValueSatisfying(
            m -> {
              assertThat(m.getReadOnly()).isTrue();
              assertThat(m.getName()).isEqualTo("klio-plugin-config");
            });
    assertThat(volume(spec, "klio-plugin-config").getSecret().getSecretName())
        .isEqualTo("pg-main-klio");
    assertThat(volume(spec, "plugins").getEmptyDir()).isNotNull();
    assertThat(sidecar.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(sidecar.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(sidecar.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(sidecar.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

    // evaluating the Pod as patched: nothing to change, so no rollout
    assertThat(Sidecar.podPatch(patched, SPEC)).isEmpty();
    // a new image or another Secret: a patch that replaces the sidecar, still a valid Pod
    Sidecar.Spec next =
        new Sidecar.Spec("ghcr.io/klio/klio:0.2.0", "pg-main-klio", Optional.empty(), true);
    byte[] upgrade = Sidecar.podPatch(patched, next);
    assertThat(upgrade).isNotEmpty();
    JsonNode upgraded = JsonPatch.apply(ClusterPlugin.JSON.readTree(upgrade), patched);
    PodSpec after =
        Serialization.unmarshal(ClusterPlugin.JSON.writeValueAsString(upgraded), Pod.class)
            .getSpec();
    valid(after);
    assertThat(after.getInitContainers().get(0).getImage()).isEqualTo("ghcr.io/klio/klio:0.2.0");
    assertThat(after.getInitContainers()).hasSize(spec.getInitContainers().size());
    assertThat(after.getVolumes()).hasSize(spec.getVolumes().size());
  }

  @Test
  void aPluginsVolumeOfAnotherPluginIsShared() throws IOException {
    JsonNode pod = sample("pod-1.30.json");
    JsonNode withOther =
        JsonPatch.apply(
            ClusterPlugin.JSON.readTree(
                "[{\"op\":\"add\",\"path\":\"/spec/volumes/-\",\"value\":{\"name\":\"plugins\",\"emptyDir\":{}}},"
                    + "{\"op\":\"add\",\"path\":\"/spec/containers/0/volumeMounts/-\",\"value\":{\"name\":\"plugins\",\"mountPath\":\"/plugins\"}}]"),
            pod);
    JsonNode patched =
        JsonPatch.apply(ClusterPlugin.JSON.readTree(Sidecar.podPatch(withOther, SPEC)), withOther);
    PodSpec spec =
        Serialization.unmarshal(ClusterPlugin.JSON.writeValueAsString(patched), Pod.class)
            .getSpec();
    valid(spec);
    assertThat(spec.getVolumes().stream().filter(v -> v.getName().equals("plugins"))).hasSize(1);
    assertThat(
            spec.getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/plugins")))
        .hasSize(1);
  }

  @Test
  void recoveryJobGetsTheSidecarBesideTheContainerNamedAfterItsRole() throws IOException {
    JsonNode job = sample("job-full-recovery-1.30.json");
    JsonNode patched =
        JsonPatch.apply(ClusterPlugin.JSON.readTree(Sidecar.jobPatch(job, SPEC)), job);
    Job typed = Serialization.unmarshal(ClusterPlugin.JSON.writeValueAsString(patched), Job.class);
    PodSpec spec = typed.getSpec().getTemplate().getSpec();
    valid(spec);
    assertThat(spec.getInitContainers().get(0).getName()).isEqualTo("klio-plugin");
    assertThat(mount(spec.getContainers().get(0), "/plugins")).isPresent();
    assertThat(spec.getContainers().get(0).getName()).isEqualTo("full-recovery");
    Sidecar.Spec restoring =
        new Sidecar.Spec("ghcr.io/klio/klio:0.1.0", "pg-dr-klio", Optional.empty(), false);
    JsonNode recovery =
        JsonPatch.apply(ClusterPlugin.JSON.readTree(Sidecar.jobPatch(job, restoring)), job);
    assertThat(
            recovery
                .path("spec")
                .path("template")
                .path("spec")
                .path("initContainers")
                .get(0)
                .path("args")
                .toString())
        .as("a recovery streams no WAL under the source's name")
        .doesNotContain("--send-wal");
  }

  @Test
  void otherJobsAreLeftAlone() throws IOException {
    assertThat(Sidecar.jobPatch(sample("job-initdb-1.30.json"), SPEC)).isEmpty();
  }

  @Test
  void aPodWithoutThePostgresContainerIsRefusedNamingIt() {
    JsonNode pod =
        ClusterPlugin.JSON.readTree(
            "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"x\"}]}}");
    assertThatThrownBy(() -> Sidecar.podPatch(pod, SPEC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no container named postgres");
  }

  /** Names unique, every mount's volume exists, the sidecar a native one. */
  static void valid(PodSpec spec) {
    Set<String> names = new HashSet<>();
    Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream())
        .forEach(
            c -> assertThat(names.add(c.getName())).as("container %s once", c.getName()).isTrue());
    Set<String> volumes = new HashSet<>();
    for (Volume v : spec.getVolumes()) {
      assertThat(volumes.add(v.getName())).as("volume %s once", v.getName()).isTrue();
    }
    Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream())
        .forEach(
            c -> {
              Set<String> paths = new HashSet<>();
              for (VolumeMount m : c.getVolumeMounts()) {
                assertThat(volumes)
                    .as("%s mounts %s", c.getName(), m.getName())
                    .contains(m.getName());
                assertThat(paths.add(m.getMountPath()))
                    .as("%s: %s once", c.getName(), m.getMountPath())
                    .isTrue();
              }
            });
  }

  private static Optional<VolumeMount> mount(Container c, String path) {
    return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst();
  }

  private static Volume volume(PodSpec spec, String name) {
    return spec.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new java.util.ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  static JsonNode sample(String name) throws IOException {
    try (InputStream in = SidecarTest.class.getResourceAsStream("/cnpg/" + name)) {
      return ClusterPlugin.JSON.readTree(in.readAllBytes());
    }
  }
}
