package io.klio.operator;

import java.util.Map;

/** The names, labels and ports of what the operator makes for a Server. */
final class Names {
  static final String MANAGER = "klio-operator";
  static final int GRPC_PORT = 7433;
  static final int HTTP_PORT = 9187;
  static final String TIER1_PATH = "/var/lib/klio";
  static final String CONFIG_DIR = "/etc/klio/config";
  static final String TLS_DIR = "/etc/klio/tls";
  static final String KEK_DIR = "/etc/klio/kek";
  static final String TIER2_DIR = "/etc/klio/tier2";
  static final String DATA_VOLUME = "data";

  /** Annotation: the hash of the desired state an object was last written from. */
  static final String SPEC_HASH = "klio.io/spec-hash";

  /** Annotation on the pod template: the hash of the configuration and TLS it runs with. */
  static final String CONFIG_HASH = "klio.io/config-hash";

  /** Annotation on the StatefulSet: the Tier 1 size last applied to the volumes. */
  static final String TIER1_SIZE = "klio.io/tier1-size";

  private Names() {}

  static String configSecret(String server) {
    return server + "-config";
  }

  static String caSecret(String server) {
    return server + "-ca";
  }

  static String tlsSecret(String server) {
    return server + "-tls";
  }

  /** The PVC the StatefulSet makes for its pod {@code ordinal}. */
  static String pvc(String server, int ordinal) {
    return DATA_VOLUME + "-" + server + "-" + ordinal;
  }

  static Map<String, String> selector(String server) {
    return Map.of("app.kubernetes.io/name", "klio-server", "app.kubernetes.io/instance", server);
  }

  static Map<String, String> labels(String server) {
    return Map.of(
        "app.kubernetes.io/name", "klio-server",
        "app.kubernetes.io/instance", server,
        "app.kubernetes.io/managed-by", MANAGER);
  }
}
