package io.klio.operator.cnpg;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The plugin sidecar injected into the Pods and recovery Jobs CloudNativePG creates, as the RFC
 * 6902 patch {@code OperatorLifecycle.LifecycleHook} returns: a native sidecar (an init container
 * with {@code restartPolicy: Always}) placed before CloudNativePG's own init containers, serving
 * {@code klio plugin serve} on {@code /plugins/klio.cloudnative-pg.io}; the {@code plugins} volume
 * (an emptyDir, shared with any other plugin's sidecar) mounted at {@code /plugins} in the main
 * container and the sidecar; the sidecar's Secret mounted read-only at {@code /etc/klio/client}.
 *
 * <p>The sidecar gets the main container's environment (PGDATA among it) and volume mounts (the
 * data directory, the WAL volume, {@code /controller} with PostgreSQL's socket), and a restricted
 * security context: non-root, read-only root file system, no privilege escalation, no capabilities.
 *
 * <p>The patch takes the object from what it is to what it should be, so a Pod that already has the
 * sidecar as wanted gets an empty patch (for {@code TYPE_EVALUATE}: no rollout), and one whose
 * sidecar differs (a new image, another Secret) gets the patch that replaces it.
 */
public final class Sidecar {
  /** The sidecar container's name. */
  public static final String CONTAINER = "klio-plugin";

  /** The shared plugin socket volume (the name other plugins use too). */
  static final String PLUGINS_VOLUME = "plugins";

  static final String PLUGINS_DIR = "/plugins";
  static final String CLIENT_VOLUME = "klio-plugin-config";
  static final String CLIENT_DIR = "/etc/klio/client";

  /** The Job roles of the recovery Jobs of CloudNativePG 1.30 and older. */
  static final Set<String> RECOVERY_JOB_ROLES = Set.of("full-recovery", "snapshot-recovery");

  private Sidecar() {}

  /**
   * What the sidecar runs: the image, the Secret with its client.yaml, the pull policy, and whether
   * it streams WAL ({@code --send-wal}: for the configuration a Cluster archives with, in standard
   * mode; never while the Pod is bootstrapped from a recovery source).
   */
  public record Spec(String image, String secret, Optional<String> pullPolicy, boolean sendWal) {}

  /**
   * The patch that gives a Pod its sidecar; empty when it has it already. The main container is
   * {@code postgres}.
   */
  public static byte[] podPatch(JsonNode pod, Spec spec) {
    ObjectNode wanted = object(pod).deepCopy();
    inject(podSpec(wanted.path("spec")), "postgres", spec);
    return diff(pod, wanted);
  }

  /**
   * The patch that gives a recovery Job's pod template its sidecar; empty when the Job is no
   * recovery Job (its {@code cnpg.io/jobRole} label is neither full- nor snapshot-recovery).
   */
  public static byte[] jobPatch(JsonNode job, Spec spec) {
    Optional<String> role = jobRole(job);
    if (role.isEmpty() || !RECOVERY_JOB_ROLES.contains(role.get())) {
      return new byte[0];
    }
    ObjectNode wanted = object(job).deepCopy();
    // CloudNativePG names a recovery Job's main container after its role
    inject(podSpec(wanted.path("spec").path("template").path("spec")), role.get(), spec);
    return diff(job, wanted);
  }

  /** The {@code cnpg.io/jobRole} label of a Job's pod template (or of the Job). */
  static Optional<String> jobRole(JsonNode job) {
    for (JsonNode labels :
        new JsonNode[] {
          job.path("spec").path("template").path("metadata").path("labels"),
          job.path("metadata").path("labels")
        }) {
      String r = labels.path("cnpg.io/jobRole").asString("");
      if (!r.isEmpty()) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  private static ObjectNode object(JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("the object definition is not a JSON object");
    }
    return (ObjectNode) n;
  }

  private static ObjectNode podSpec(JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("the object has no pod spec");
    }
    return (ObjectNode) n;
  }

  private static void inject(ObjectNode podSpec, String mainName, Spec spec) {
    ObjectNode main = null;
    for (JsonNode c : podSpec.path("containers")) {
      if (mainName.equals(c.path("name").asString(""))) {
        main = (ObjectNode) c;
      }
    }
    if (main == null) {
      throw new IllegalArgumentException(
          "the pod spec has no container named " + mainName + " to put the plugin socket into");
    }
    ArrayNode volumes = array(podSpec, "volumes");
    if (!hasNamed(volumes, PLUGINS_VOLUME)) {
      volumes.addObject().put("name", PLUGINS_VOLUME).putObject("emptyDir");
    }
    removeNamed(volumes, CLIENT_VOLUME);
    ObjectNode secret = volumes.addObject().put("name", CLIENT_VOLUME).putObject("secret");
    secret.put("secretName", spec.secret()).put("defaultMode", 0440);

    ArrayNode mainMounts = array(main, "volumeMounts");
    String pluginsVolume = mountedAt(mainMounts, PLUGINS_DIR).orElse(null);
    if (pluginsVolume == null) {
      mainMounts.addObject().put("name", PLUGINS_VOLUME).put("mountPath", PLUGINS_DIR);
      pluginsVolume = PLUGINS_VOLUME;
    }

    ObjectNode c = ClusterPlugin.JSON.createObjectNode();
    c.put("name", CONTAINER);
    c.put("image", spec.image());
    spec.pullPolicy().ifPresent(p -> c.put("imagePullPolicy", p));
    c.put("restartPolicy", "Always");
    ArrayNode args = c.putArray("args");
    for (String a :
        new String[] {
          "plugin",
          "serve",
          "--config",
          CLIENT_DIR + "/client.yaml",
          "--socket",
          PLUGINS_DIR + "/" + ClusterPlugin.NAME
        }) {
      args.add(a);
    }
    if (spec.sendWal()) {
      args.add("--send-wal");
    }
    ArrayNode env = c.putArray("env");
    for (JsonNode e : main.path("env")) {
      String n = e.path("name").asString("");
      if (!n.equals("NAMESPACE") && !n.equals("CLUSTER_NAME")) {
        env.add(e.deepCopy());
      }
    }
    env.addObject()
        .put("name", "NAMESPACE")
        .putObject("valueFrom")
        .putObject("fieldRef")
        .put("fieldPath", "metadata.namespace");
    ArrayNode mounts = c.putArray("volumeMounts");
    for (JsonNode m : main.path("volumeMounts")) {
      String path = m.path("mountPath").asString("");
      if (!path.equals(PLUGINS_DIR) && !path.equals(CLIENT_DIR)) {
        mounts.add(m.deepCopy());
      }
    }
    mounts.addObject().put("name", pluginsVolume).put("mountPath", PLUGINS_DIR);
    mounts
        .addObject()
        .put("name", CLIENT_VOLUME)
        .put("mountPath", CLIENT_DIR)
        .put("readOnly", true);
    ObjectNode sc = c.putObject("securityContext");
    sc.put("runAsNonRoot", true)
        .put("allowPrivilegeEscalation", false)
        .put("readOnlyRootFilesystem", true)
        .put("privileged", false);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    sc.putObject("seccompProfile").put("type", "RuntimeDefault");
    // ready once the socket is served (klio plugin serve creates it when it listens)
    ObjectNode probe = c.putObject("startupProbe");
    probe
        .putObject("exec")
        .putArray("command")
        .add("sh")
        .add("-c")
        .add("test -S " + PLUGINS_DIR + "/" + ClusterPlugin.NAME);
    probe.put("periodSeconds", 1).put("failureThreshold", 60).put("timeoutSeconds", 5);

    ArrayNode init = array(podSpec, "initContainers");
    removeNamed(init, CONTAINER);
    init.insert(0, c);
  }

  private static byte[] diff(JsonNode from, JsonNode to) {
    JsonNode patch =
        JsonDiff.asJson(
            from, to, EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION));
    return patch.isEmpty()
        ? new byte[0]
        : ClusterPlugin.JSON.writeValueAsString(patch).getBytes(StandardCharsets.UTF_8);
  }

  private static ArrayNode array(ObjectNode o, String field) {
    JsonNode a = o.path(field);
    return a.isArray() ? (ArrayNode) a : o.putArray(field);
  }

  private static boolean hasNamed(ArrayNode a, String name) {
    for (JsonNode n : a) {
      if (name.equals(n.path("name").asString(""))) {
        return true;
      }
    }
    return false;
  }

  private static void removeNamed(ArrayNode a, String name) {
    for (int i = a.size() - 1; i >= 0; i--) {
      if (name.equals(a.get(i).path("name").asString(""))) {
        a.remove(i);
      }
    }
  }

  private static Optional<String> mountedAt(ArrayNode mounts, String path) {
    for (JsonNode m : mounts) {
      if (path.equals(m.path("mountPath").asString(""))) {
        return Optional.of(m.path("name").asString(""));
      }
    }
    return Optional.empty();
  }
}
