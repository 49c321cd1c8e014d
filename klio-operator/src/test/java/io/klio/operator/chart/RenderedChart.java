package io.klio.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chart {@code charts/klio} rendered by Helm in-process (helm-java), each manifest parsed into
 * its typed fabric8 model. A field the model does not know (a typo, a wrong nesting) would land in
 * some object's {@code additionalProperties}: {@link #parse} refuses that, so "it parses" means
 * every field is one Kubernetes knows.
 */
final class RenderedChart {
  /** The real chart, from the module's directory (Surefire's working directory). */
  static final Path CHART = Path.of("..", "charts", "klio");

  /** Kinds that are no Kubernetes built-in: kept as generic resources, checked field by field. */
  private static final Set<String> FOREIGN =
      Set.of("cert-manager.io/v1", "monitoring.coreos.com/v1");

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  final List<HasMetadata> objects;

  private RenderedChart(List<HasMetadata> objects) {
    this.objects = objects;
  }

  /** {@code helm template klio charts/klio -n cnpg-system --set k=v ...}. */
  static RenderedChart render(Map<String, Object> values) {
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName("klio")
            .withNamespace("cnpg-system")
            .withKubeVersion("1.30.0");
    values.forEach(template::set);
    return new RenderedChart(parse(template.call()));
  }

  static List<HasMetadata> parse(String manifests) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : manifests.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        continue;
      }
      HasMetadata o = SERIALIZATION.unmarshal(doc);
      String apiVersion = o.getApiVersion();
      if (o instanceof GenericKubernetesResource) {
        assertThat(FOREIGN)
            .as("a built-in kind parses into its model: " + doc)
            .contains(apiVersion);
      } else {
        assertThat(unknownFields(o, "")).as("fields no model knows, in\n" + doc).isEmpty();
      }
      out.add(o);
    }
    return out;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    List<T> named = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
    assertThat(named).as(type.getSimpleName() + " " + name).hasSize(1);
    return named.get(0);
  }

  GenericKubernetesResource foreign(String kind, String name) {
    return all(GenericKubernetesResource.class).stream()
        .filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
  }

  List<String> kinds() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }

  /** The paths of every non-empty {@code additionalProperties} under {@code o}. */
  static List<String> unknownFields(Object o, String path) {
    List<String> found = new ArrayList<>();
    walk(o, path, found, new IdentityHashMap<>());
    return found;
  }

  private static void walk(Object o, String path, List<String> found, Map<Object, Object> seen) {
    if (o == null || seen.put(o, o) != null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        walk(e, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(v, path + "." + k, found, seen));
      return;
    }
    if (!(o instanceof KubernetesResource)) {
      return;
    }
    for (Method getter : o.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(o);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(getter.toString(), e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          found.add(path + " " + extra.keySet());
        }
      } else {
        walk(value, path + "." + getter.getName().substring(3), found, seen);
      }
    }
  }
}
