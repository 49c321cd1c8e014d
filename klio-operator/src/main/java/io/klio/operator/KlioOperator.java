package io.klio.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.klio.operator.api.v1alpha1.PluginConfiguration;
import io.klio.operator.api.v1alpha1.Server;
import io.klio.operator.cnpg.OperatorPluginServer;
import io.klio.operator.cnpg.PluginMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The operator: informers on Servers, PluginConfigurations and the StatefulSets it owns feed one
 * work queue, whose worker runs the level-based reconcilers. Every change of a Server also queues
 * the PluginConfigurations that reference it. Informers resync every 10 minutes, which renews
 * certificates in time and repairs what was changed behind the operator's back.
 *
 * <p>Plain fabric8 informers rather than the Java Operator SDK: the SDK 5.2.3 is built against the
 * fabric8 7 line (this module uses 8.0.0 with Jackson 3), it needs server-side apply turned off to
 * run against the API mock, and two reconcilers need no more than a queue of keys.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once. Not a leader: run one replica.
 */
public final class KlioOperator implements AutoCloseable {
  private static final long RESYNC_MILLIS = 10 * 60 * 1000L;
  private static final String SERVER = "Server/";
  private static final String PLUGIN = "PluginConfiguration/";

  private final KubernetesClient client;
  private final String namespace;
  private final ServerReconciler servers;
  private final PluginConfigurationReconciler plugins;
  private final WorkQueue queue;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<PluginConfiguration> pluginInformer;

  /** An operator for {@code namespace}, or every namespace when it is null. */
  public KlioOperator(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.servers = new ServerReconciler(client);
    this.plugins = new PluginConfigurationReconciler(client);
    this.queue = new WorkQueue(this::reconcile);
  }

  /**
   * Runs the operator until the process is stopped: the Kubernetes client configures itself (in a
   * pod: its service account); {@code WATCH_NAMESPACE} limits it to one namespace (unset or empty:
   * every namespace).
   */
  public static void main(String[] args) throws InterruptedException {
    String ns = System.getenv("WATCH_NAMESPACE");
    KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
    KlioOperator operator = new KlioOperator(client, ns == null || ns.isEmpty() ? null : ns);
    OperatorPluginServer plugin;
    try {
      plugin = PluginMain.start(client, System.getenv());
    } catch (IOException e) {
      throw new UncheckedIOException("the CNPG-I plugin cannot be served: " + e.getMessage(), e);
    }
    java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  plugin.close();
                  operator.close();
                  client.close();
                  stopped.countDown();
                }));
    operator.start();
    stopped.await();
  }

  /** Starts the informers; reconciliation starts as they list what exists. */
  public void start() {
    pluginInformer =
        (namespace == null
                ? client.resources(PluginConfiguration.class).inAnyNamespace()
                : client.resources(PluginConfiguration.class).inNamespace(namespace))
            .inform(handler(pc -> queue.add(PLUGIN + key(pc))), RESYNC_MILLIS);
    informers.add(pluginInformer);
    informers.add(
        (namespace == null
                ? client.resources(Server.class).inAnyNamespace()
                : client.resources(Server.class).inNamespace(namespace))
            .inform(handler(this::serverChanged), RESYNC_MILLIS));
    informers.add(
        (namespace == null
                ? client.apps().statefulSets().inAnyNamespace()
                : client.apps().statefulSets().inNamespace(namespace))
            .withLabel("app.kubernetes.io/managed-by", Names.MANAGER)
            .inform(handler(this::ownedChanged), RESYNC_MILLIS));
  }

  private void serverChanged(Server s) {
    queue.add(SERVER + key(s));
    for (PluginConfiguration pc : pluginInformer.getStore().list()) {
      if (pc.getMetadata().getNamespace().equals(s.getMetadata().getNamespace())
          && pc.getSpec() != null
          && s.getMetadata().getName().equals(pc.getSpec().serverRef())) {
        queue.add(PLUGIN + key(pc));
      }
    }
  }

  private void ownedChanged(StatefulSet sts) {
    for (OwnerReference o : sts.getMetadata().getOwnerReferences()) {
      if ("Server".equals(o.getKind()) && Boolean.TRUE.equals(o.getController())) {
        queue.add(SERVER + sts.getMetadata().getNamespace() + "/" + o.getName());
      }
    }
  }

  private void reconcile(String key) {
    String[] kindNsName = key.split("/", 3);
    if (key.startsWith(SERVER)) {
      servers.reconcile(kindNsName[1], kindNsName[2]);
    } else {
      plugins.reconcile(kindNsName[1], kindNsName[2]);
    }
  }

  private static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  private static <T> ResourceEventHandler<T> handler(Consumer<T> onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        onChange.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onChange.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        onChange.accept(obj); // a deleted Server: its PluginConfigurations learn it
      }
    };
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::stop);
    queue.close();
  }
}
