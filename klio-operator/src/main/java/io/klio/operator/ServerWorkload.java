package io.klio.operator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.klio.operator.api.v1alpha1.AzureStore;
import io.klio.operator.api.v1alpha1.Scheduling;
import io.klio.operator.api.v1alpha1.Server;
import io.klio.operator.api.v1alpha1.ServerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The desired StatefulSet (with its volume claim template) and Service of a Server. */
final class ServerWorkload {
  private ServerWorkload() {}

  static Service service(Server server) {
    String name = server.getMetadata().getName();
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(Names.labels(name))
        .endMetadata()
        .withNewSpec()
        .withSelector(Names.selector(name))
        .addNewPort()
        .withName("grpc")
        .withPort(Names.GRPC_PORT)
        .withNewTargetPort("grpc")
        .endPort()
        .addNewPort()
        .withName("http")
        .withPort(Names.HTTP_PORT)
        .withNewTargetPort("http")
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * The StatefulSet of one pod.
   *
   * @param claimTemplate the volume claim template: a new one for a new StatefulSet, the live one
   *     after (Kubernetes does not let it change; growth goes to the PVCs)
   * @param configHash rolls the pod when the configuration or TLS material changes
   */
  static StatefulSet statefulSet(
      Server server, PersistentVolumeClaim claimTemplate, String appliedSize, String configHash) {
    String name = server.getMetadata().getName();
    ServerSpec spec = server.getSpec();
    PodSpecBuilder pod =
        new PodSpecBuilder()
            .withEnableServiceLinks(false)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(1000L)
            .withFsGroup(1000L)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .withInitContainers(keyRing(spec))
            .withContainers(container(spec))
            .withVolumes(volumes(server));
    Scheduling s = spec.scheduling();
    if (s != null) {
      pod.withNodeSelector(s.nodeSelector())
          .withTolerations(s.tolerations())
          .withAffinity(s.affinity())
          .withPriorityClassName(s.priorityClassName());
    }
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(Names.labels(name))
        .withAnnotations(Map.of(Names.TIER1_SIZE, appliedSize))
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withServiceName(name)
        .withNewSelector()
        .withMatchLabels(Names.selector(name))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Names.labels(name))
        .withAnnotations(Map.of(Names.CONFIG_HASH, configHash))
        .endMetadata()
        .withSpec(pod.build())
        .endTemplate()
        .withVolumeClaimTemplates(claimTemplate)
        .endSpec()
        .build();
  }

  /** The claim template of a new StatefulSet. */
  static PersistentVolumeClaim claimTemplate(ServerSpec spec) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(Names.DATA_VOLUME)
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(spec.tier1().storageClassName())
        .withNewResources()
        .withRequests(Map.of("storage", new Quantity(spec.tier1().size().toString())))
        .endResources()
        .endSpec()
        .build();
  }

  private static Container container(ServerSpec spec) {
    List<VolumeMount> mounts = new ArrayList<>(mounts(spec));
    return new ContainerBuilder()
        .withName("klio")
        .withImage(spec.image())
        .withArgs("server", "start", "--config", Names.CONFIG_DIR + "/server.yaml")
        .addNewPort()
        .withName("grpc")
        .withContainerPort(Names.GRPC_PORT)
        .endPort()
        .addNewPort()
        .withName("http")
        .withContainerPort(Names.HTTP_PORT)
        .endPort()
        .withEnv(env(spec))
        .withVolumeMounts(mounts)
        .withResources(spec.resources())
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/readyz")
        .withNewPort("http")
        .endHttpGet()
        .withPeriodSeconds(5)
        .endReadinessProbe()
        .withNewLivenessProbe()
        .withNewHttpGet()
        .withPath("/livez")
        .withNewPort("http")
        .endHttpGet()
        .withPeriodSeconds(10)
        .withFailureThreshold(6)
        .endLivenessProbe()
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .build();
  }

  /**
   * With encryption on, the key ring must exist before the server starts: made on the first start
   * of a new Tier 1 ({@code klio keys show} fails only when there is none, or the KEK is wrong, in
   * which case {@code generate} refuses too and the pod says why).
   */
  private static List<Container> keyRing(ServerSpec spec) {
    if (spec.encryption() == null) {
      return List.of();
    }
    String args =
        "--repository file:"
            + Names.TIER1_PATH
            + " --kek file:"
            + Names.KEK_DIR
            + "/"
            + ServerConfig.KEK_FILE;
    return List.of(
        new ContainerBuilder()
            .withName("key-ring")
            .withImage(spec.image())
            .withCommand(
                "sh",
                "-c",
                "klio keys show " + args + " >/dev/null 2>&1 || klio keys generate " + args)
            .withVolumeMounts(mounts(spec))
            .build());
  }

  private static List<VolumeMount> mounts(ServerSpec spec) {
    List<VolumeMount> m = new ArrayList<>();
    m.add(mount(Names.DATA_VOLUME, Names.TIER1_PATH));
    m.add(mount("tmp", "/tmp"));
    m.add(mount("config", Names.CONFIG_DIR));
    m.add(mount("tls", Names.TLS_DIR));
    if (spec.encryption() != null) {
      m.add(mount("kek", Names.KEK_DIR));
    }
    if (spec.tier2() != null
        && spec.tier2().azure() != null
        && azureSecret(spec.tier2().azure()) != null) {
      m.add(mount("tier2", Names.TIER2_DIR));
    }
    return m;
  }

  private static VolumeMount mount(String volume, String path) {
    VolumeMount v = new VolumeMount();
    v.setName(volume);
    v.setMountPath(path);
    v.setReadOnly(!volume.equals(Names.DATA_VOLUME) && !volume.equals("tmp"));
    return v;
  }

  private static List<Volume> volumes(Server server) {
    String name = server.getMetadata().getName();
    ServerSpec spec = server.getSpec();
    List<Volume> v = new ArrayList<>();
    // the root file system is read-only: the JVM's temporary files go here
    v.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    v.add(secretVolume("config", Names.configSecret(name), null, null));
    v.add(secretVolume("tls", Names.tlsSecret(name), null, null));
    if (spec.encryption() != null) {
      SecretKeySelector k = spec.encryption().keySecret();
      v.add(secretVolume("kek", k.getName(), k.getKey(), ServerConfig.KEK_FILE));
    }
    if (spec.tier2() != null && spec.tier2().azure() != null) {
      AzureStore az = spec.tier2().azure();
      SecretKeySelector k = azureSecret(az);
      if (k != null) {
        String file =
            az.accountKey() != null
                ? ServerConfig.AZURE_ACCOUNT_KEY
                : az.connectionString() != null
                    ? ServerConfig.AZURE_CONNECTION_STRING
                    : ServerConfig.AZURE_SAS_TOKEN;
        v.add(secretVolume("tier2", k.getName(), k.getKey(), file));
      }
    }
    return v;
  }

  private static SecretKeySelector azureSecret(AzureStore az) {
    return az.accountKey() != null
        ? az.accountKey()
        : az.connectionString() != null ? az.connectionString() : az.sasToken();
  }

  private static Volume secretVolume(String volume, String secret, String key, String file) {
    var b =
        new VolumeBuilder()
            .withName(volume)
            .withNewSecret()
            .withSecretName(secret)
            .withDefaultMode(0440);
    if (key != null) {
      b.withItems(new KeyToPath(key, null, file, null));
    }
    return b.endSecret().build();
  }

  private static List<EnvVar> env(ServerSpec spec) {
    List<EnvVar> env = new ArrayList<>();
    if (spec.tier2() != null && spec.tier2().s3() != null) {
      var s3 = spec.tier2().s3();
      if (s3.accessKeyId() != null) {
        env.add(fromSecret("AWS_ACCESS_KEY_ID", s3.accessKeyId()));
      }
      if (s3.secretAccessKey() != null) {
        env.add(fromSecret("AWS_SECRET_ACCESS_KEY", s3.secretAccessKey()));
      }
    }
    return env;
  }

  private static EnvVar fromSecret(String name, SecretKeySelector key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withSecretKeyRef(key)
        .endValueFrom()
        .build();
  }
}
