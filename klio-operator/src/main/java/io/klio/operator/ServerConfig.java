package io.klio.operator;

import io.klio.operator.api.v1alpha1.AzureStore;
import io.klio.operator.api.v1alpha1.S3Store;
import io.klio.operator.api.v1alpha1.ServerSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the server's {@code server.yaml} (docs/configuration.md) from a Server's spec: Tier 1 on
 * the volume, the Tier 2 URI (credentials stay in files and environment variables, never in the
 * URI), the key-encryption key file, the TLS files the operator issues.
 */
final class ServerConfig {
  /** File names of the Azure credentials mounted in {@link Names#TIER2_DIR}. */
  static final String AZURE_ACCOUNT_KEY = "account-key";

  static final String AZURE_CONNECTION_STRING = "connection-string";
  static final String AZURE_SAS_TOKEN = "sas-token";

  /** File name of the KEK mounted in {@link Names#KEK_DIR}. */
  static final String KEK_FILE = "kek";

  private ServerConfig() {}

  static String render(ServerSpec spec) {
    StringBuilder y = new StringBuilder();
    y.append("# written by the klio operator from the Server resource; edits are overwritten\n");
    y.append("listen: 0.0.0.0:").append(Names.GRPC_PORT).append('\n');
    y.append("tier1:\n  path: ").append(quote(Names.TIER1_PATH)).append('\n');
    if (spec.tier2() != null) {
      y.append("tier2:\n  uri: ").append(quote(tier2Uri(spec))).append('\n');
    }
    y.append("tls:\n");
    y.append("  certificate: ").append(quote(Names.TLS_DIR + "/tls.crt")).append('\n');
    y.append("  key: ").append(quote(Names.TLS_DIR + "/tls.key")).append('\n');
    y.append("  clientCa: ").append(quote(Names.TLS_DIR + "/ca.crt")).append('\n');
    if (spec.encryption() != null) {
      y.append("encryption:\n  kek: ")
          .append(quote("file:" + Names.KEK_DIR + "/" + KEK_FILE))
          .append('\n');
    }
    y.append("http:\n  listen: 0.0.0.0:").append(Names.HTTP_PORT).append('\n');
    y.append("log:\n  format: json\n  level: info\n");
    return y.toString();
  }

  /** The Tier 2 URI of a spec that has one. */
  static String tier2Uri(ServerSpec spec) {
    S3Store s3 = spec.tier2().s3();
    if (s3 != null) {
      Map<String, String> q = new LinkedHashMap<>();
      put(q, "region", s3.region());
      put(q, "endpoint", s3.endpoint());
      return "s3://" + s3.bucket() + path(s3.prefix()) + query(q);
    }
    AzureStore az = spec.tier2().azure();
    Map<String, String> q = new LinkedHashMap<>();
    put(q, "endpoint", az.endpoint());
    if (az.accountKey() != null) {
      q.put("account-key-file", Names.TIER2_DIR + "/" + AZURE_ACCOUNT_KEY);
    } else if (az.connectionString() != null) {
      q.put("connection-string-file", Names.TIER2_DIR + "/" + AZURE_CONNECTION_STRING);
    } else if (az.sasToken() != null) {
      q.put("sas-token-file", Names.TIER2_DIR + "/" + AZURE_SAS_TOKEN);
    }
    return "azure://" + az.account() + "/" + az.container() + path(az.prefix()) + query(q);
  }

  private static void put(Map<String, String> q, String key, String value) {
    if (value != null && !value.isEmpty()) {
      q.put(key, value);
    }
  }

  private static String path(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return "";
    }
    return "/" + prefix.replaceAll("^/+|/+$", "");
  }

  private static String query(Map<String, String> q) {
    if (q.isEmpty()) {
      return "";
    }
    return q.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&", "?", ""));
  }

  /** A YAML double-quoted scalar. */
  static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
