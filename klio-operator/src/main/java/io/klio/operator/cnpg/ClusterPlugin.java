package io.klio.operator.cnpg;

import io.klio.cnpgi.KlioIdentity;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a CloudNativePG {@code Cluster} (its JSON, as CNPG-I sends it) uses this plugin: for WAL and
 * backups through {@code spec.plugins[]}, and for its recovery through {@code
 * bootstrap.recovery.source}, an {@code externalClusters[]} entry whose {@code plugin} is this one.
 * Both name a PluginConfiguration in the Cluster's namespace with the parameter {@value #PARAM}.
 */
public final class ClusterPlugin {
  /** The plugin's name: the socket file name in /plugins, and the plugin Service's label. */
  public static final String NAME = KlioIdentity.NAME;

  /** The one parameter: the name of a PluginConfiguration in the Cluster's namespace. */
  public static final String PARAM = "pluginConfiguration";

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** A use of the plugin: the PluginConfiguration it names, and where in the Cluster it is. */
  public record Use(String pluginConfiguration, List<String> path) {}

  /** A refusal, for {@code ValidationError}: the field's path, its value, what to do. */
  public record Problem(List<String> path, String value, String message) {}

  private final JsonNode cluster;

  private ClusterPlugin(JsonNode cluster) {
    this.cluster = cluster;
  }

  /** The Cluster of a CNPG-I request's {@code cluster_definition}. */
  public static ClusterPlugin parse(byte[] clusterJson) {
    if (clusterJson.length == 0) {
      throw new IllegalArgumentException("the request holds no cluster definition");
    }
    JsonNode n = JSON.readTree(clusterJson);
    if (!n.isObject()) {
      throw new IllegalArgumentException("the cluster definition is not a JSON object");
    }
    return new ClusterPlugin(n);
  }

  public String name() {
    return cluster.path("metadata").path("name").asString("");
  }

  public String namespace() {
    return cluster.path("metadata").path("namespace").asString("");
  }

  JsonNode json() {
    return cluster;
  }

  /** {@code spec.imagePullPolicy}, when set. */
  Optional<String> imagePullPolicy() {
    JsonNode p = cluster.path("spec").path("imagePullPolicy");
    return p.isString() && !p.asString().isEmpty() ? Optional.of(p.asString()) : Optional.empty();
  }

  /** Whether the Cluster has a primary yet ({@code status.currentPrimary}): bootstrap is over. */
  boolean bootstrapped() {
    return !cluster.path("status").path("currentPrimary").asString("").isEmpty();
  }

  /** The enabled {@code spec.plugins[]} entry of this plugin (WAL streaming and backups). */
  public Optional<Use> archive() {
    JsonNode plugins = cluster.path("spec").path("plugins");
    for (int i = 0; i < plugins.size(); i++) {
      JsonNode p = plugins.get(i);
      if (NAME.equals(p.path("name").asString("")) && p.path("enabled").asBoolean(true)) {
        return Optional.of(
            new Use(
                p.path("parameters").path(PARAM).asString(""),
                List.of("spec", "plugins", String.valueOf(i), "parameters", PARAM)));
      }
    }
    return Optional.empty();
  }

  /** The recovery source of the Cluster, when it is an external cluster restored by this plugin. */
  public Optional<Use> recovery() {
    String source =
        cluster.path("spec").path("bootstrap").path("recovery").path("source").asString("");
    if (source.isEmpty()) {
      return Optional.empty();
    }
    JsonNode external = cluster.path("spec").path("externalClusters");
    for (int i = 0; i < external.size(); i++) {
      JsonNode e = external.get(i);
      if (source.equals(e.path("name").asString(""))
          && NAME.equals(e.path("plugin").path("name").asString(""))) {
        return Optional.of(
            new Use(
                e.path("plugin").path("parameters").path(PARAM).asString(""),
                List.of(
                    "spec", "externalClusters", String.valueOf(i), "plugin", "parameters", PARAM)));
      }
    }
    return Optional.empty();
  }

  /**
   * The configuration the sidecar of a Pod or recovery Job runs with: while the Cluster is
   * bootstrapped from this plugin, its recovery source's; afterwards, the one it archives with.
   */
  Optional<Use> sidecar(boolean recoveryJob) {
    Optional<Use> recovery = recovery();
    if (recovery.isPresent() && (recoveryJob || !bootstrapped())) {
      return recovery;
    }
    return archive();
  }

  /** What is wrong in how the Cluster uses this plugin; empty when nothing is. */
  public List<Problem> problems() {
    List<Problem> out = new ArrayList<>();
    JsonNode plugins = cluster.path("spec").path("plugins");
    int ours = 0;
    for (int i = 0; i < plugins.size(); i++) {
      JsonNode p = plugins.get(i);
      if (!NAME.equals(p.path("name").asString(""))) {
        continue;
      }
      List<String> at = List.of("spec", "plugins", String.valueOf(i));
      if (++ours == 2) {
        out.add(
            new Problem(
                at,
                NAME,
                "the plugin " + NAME + " is listed twice in spec.plugins; keep one entry"));
      }
      if (p.path("isWALArchiver").asBoolean(false)) {
        out.add(
            new Problem(
                append(at, "isWALArchiver"),
                "true",
                "Klio streams WAL over the replication protocol and archives nothing through"
                    + " archive_command; remove isWALArchiver (the replication slot keeps the WAL"
                    + " until Klio has stored it)"));
      }
      parameters(p.path("parameters"), append(at, "parameters"), out);
    }
    JsonNode external = cluster.path("spec").path("externalClusters");
    for (int i = 0; i < external.size(); i++) {
      JsonNode plugin = external.get(i).path("plugin");
      if (NAME.equals(plugin.path("name").asString(""))) {
        parameters(
            plugin.path("parameters"),
            List.of("spec", "externalClusters", String.valueOf(i), "plugin", "parameters"),
            out);
      }
    }
    return out;
  }

  private static void parameters(JsonNode params, List<String> at, List<Problem> out) {
    String pc = params.path(PARAM).asString("");
    if (pc.isEmpty()) {
      out.add(
          new Problem(
              append(at, PARAM),
              "",
              "required: the name of a klio.io PluginConfiguration in the Cluster's namespace"));
    } else if (pc.length() > 253 || !DNS_NAME.matcher(pc).matches()) {
      out.add(
          new Problem(
              append(at, PARAM), pc, "'" + pc + "' is not the name of a Kubernetes object"));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = params.properties().iterator();
        it.hasNext(); ) {
      String key = it.next().getKey();
      if (!PARAM.equals(key)) {
        out.add(
            new Problem(
                append(at, key),
                params.path(key).asString(""),
                "unknown parameter '"
                    + key
                    + "': the only parameter is "
                    + PARAM
                    + "; everything else is set in the PluginConfiguration"));
      }
    }
  }

  private static List<String> append(List<String> path, String last) {
    List<String> p = new ArrayList<>(path);
    p.add(last);
    return List.copyOf(p);
  }
}
