package io.klio.walstream;

import io.klio.walstream.ConnectionSettings.ChannelBinding;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Connection strings as libpq users write them: keyword/value ({@code host=db port=5432 user=klio
 * sslmode=verify-full}) and URIs ({@code postgresql://klio@db:5432/postgres?sslmode=require}),
 * completed from the {@code PG*} environment variables, {@code ~/.pgpass} (or {@code PGPASSFILE})
 * and libpq's defaults. Thread-safe (stateless).
 */
public final class ConnectionStrings {

  static final Set<String> KEYWORDS =
      Set.of(
          "host",
          "hostaddr",
          "port",
          "user",
          "dbname",
          "password",
          "passfile",
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "channel_binding",
          "application_name",
          "connect_timeout",
          "options",
          "replication",
          "target_session_attrs",
          "sslnegotiation",
          "keepalives",
          "keepalives_idle",
          "gssencmode",
          "client_encoding",
          "fallback_application_name");

  private static final Map<String, String> ENV =
      Map.ofEntries(
          Map.entry("host", "PGHOST"),
          Map.entry("hostaddr", "PGHOSTADDR"),
          Map.entry("port", "PGPORT"),
          Map.entry("user", "PGUSER"),
          Map.entry("dbname", "PGDATABASE"),
          Map.entry("password", "PGPASSWORD"),
          Map.entry("passfile", "PGPASSFILE"),
          Map.entry("sslmode", "PGSSLMODE"),
          Map.entry("sslrootcert", "PGSSLROOTCERT"),
          Map.entry("sslcert", "PGSSLCERT"),
          Map.entry("sslkey", "PGSSLKEY"),
          Map.entry("channel_binding", "PGCHANNELBINDING"),
          Map.entry("application_name", "PGAPPNAME"),
          Map.entry("connect_timeout", "PGCONNECT_TIMEOUT"),
          Map.entry("options", "PGOPTIONS"));

  private ConnectionStrings() {}

  /** Parses a connection string (keyword/value or URI) into its keywords, without defaults. */
  public static Map<String, String> parse(String conninfo) {
    String s = conninfo == null ? "" : conninfo.strip();
    Map<String, String> kv =
        s.startsWith("postgresql://") || s.startsWith("postgres://")
            ? parseUri(s)
            : parseKeywords(s);
    for (String k : kv.keySet()) {
      if (!KEYWORDS.contains(k)) {
        throw new IllegalArgumentException(
            "invalid connection option \"" + k + "\" in the connection string");
      }
    }
    return kv;
  }

  /** {@link #resolve(String, Map, Map)} with the process environment. */
  public static ConnectionSettings resolve(String conninfo, Map<String, String> overrides) {
    return resolve(conninfo, overrides, System.getenv());
  }

  /**
   * Resolves the settings: {@code overrides} (command-line options such as {@code -h}, {@code -p},
   * {@code -U}) over the connection string, over the environment, over the defaults; the password
   * from {@code .pgpass} when none was given.
   */
  public static ConnectionSettings resolve(
      String conninfo, Map<String, String> overrides, Map<String, String> env) {
    Map<String, String> kv = new LinkedHashMap<>();
    ENV.forEach(
        (k, var) -> {
          String v = env.get(var);
          if (v != null && !v.isEmpty()) {
            kv.put(k, v);
          }
        });
    kv.putAll(parse(conninfo));
    overrides.forEach(
        (k, v) -> {
          if (v != null) {
            kv.put(k, v);
          }
        });

    Optional<String> hostaddr = Optional.ofNullable(kv.get("hostaddr"));
    String host = kv.getOrDefault("host", hostaddr.orElse(defaultSocketDir()));
    if (host.contains(",")) {
      throw new IllegalArgumentException(
          "several hosts (" + host + ") are not supported: give the one to stream from");
    }
    int port = parsePort(kv.getOrDefault("port", "5432"));
    String user = kv.getOrDefault("user", System.getProperty("user.name"));
    String db = kv.getOrDefault("dbname", user);
    SslMode ssl = SslMode.parse(kv.getOrDefault("sslmode", "prefer"));
    Optional<String> password = Optional.ofNullable(kv.get("password"));
    boolean replication = kv.containsKey("replication") || "replication".equals(db);
    if (password.isEmpty()) {
      Path passfile =
          Path.of(kv.getOrDefault("passfile", Path.of(home(env), ".pgpass").toString()));
      password =
          PgPass.lookup(
              passfile,
              host.startsWith("/") ? "localhost" : host,
              port,
              replication ? "replication" : db,
              user);
    }
    Path pgDir = Path.of(home(env), ".postgresql");
    return new ConnectionSettings(
        host,
        port,
        user,
        db,
        password,
        ssl,
        file(kv.get("sslrootcert"), pgDir.resolve("root.crt")),
        file(kv.get("sslcert"), pgDir.resolve("postgresql.crt")),
        file(kv.get("sslkey"), pgDir.resolve("postgresql.key")),
        ChannelBinding.valueOf(
            kv.getOrDefault("channel_binding", "prefer").toUpperCase(Locale.ROOT)),
        kv.getOrDefault("application_name", kv.getOrDefault("fallback_application_name", "klio")),
        Duration.ofSeconds(Long.parseLong(kv.getOrDefault("connect_timeout", "30"))),
        kv.containsKey("options") ? Map.of("options", kv.get("options")) : Map.of(),
        hostaddr);
  }

  /** An explicit file must exist; a default file is used only when it exists. */
  private static Optional<Path> file(String explicit, Path fallback) {
    if (explicit != null) {
      if (explicit.equals("system")) {
        return Optional.of(Path.of("system"));
      }
      return Optional.of(Path.of(explicit));
    }
    return Files.exists(fallback) ? Optional.of(fallback) : Optional.empty();
  }

  private static String home(Map<String, String> env) {
    return env.getOrDefault("HOME", System.getProperty("user.home"));
  }

  private static String defaultSocketDir() {
    return Files.isDirectory(Path.of("/var/run/postgresql")) ? "/var/run/postgresql" : "/tmp";
  }

  private static int parsePort(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port number: \"" + s + "\"", e);
    }
  }

  static Map<String, String> parseKeywords(String s) {
    Map<String, String> kv = new LinkedHashMap<>();
    int i = 0;
    int n = s.length();
    while (true) {
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return kv;
      }
      int keyStart = i;
      while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      String key = s.substring(keyStart, i);
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= n || s.charAt(i) != '=') {
        throw new IllegalArgumentException(
            "missing \"=\" after \"" + key + "\" in connection info string");
      }
      i++;
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < n && s.charAt(i) == '\'') {
        i++;
        boolean closed = false;
        while (i < n) {
          char c = s.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(s.charAt(i++));
          } else if (c == '\'') {
            closed = true;
            break;
          } else {
            value.append(c);
          }
        }
        if (!closed) {
          throw new IllegalArgumentException(
              "unterminated quoted string in connection info string");
        }
      } else {
        while (i < n && !Character.isWhitespace(s.charAt(i))) {
          char c = s.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(s.charAt(i++));
          } else {
            value.append(c);
          }
        }
      }
      kv.put(key, value.toString());
    }
  }

  static Map<String, String> parseUri(String uri) {
    Map<String, String> kv = new LinkedHashMap<>();
    String rest = uri.substring(uri.indexOf("://") + 3);
    int q = rest.indexOf('?');
    String query = q >= 0 ? rest.substring(q + 1) : "";
    rest = q >= 0 ? rest.substring(0, q) : rest;
    int slash = rest.indexOf('/');
    String authority = slash >= 0 ? rest.substring(0, slash) : rest;
    if (slash >= 0 && slash + 1 < rest.length()) {
      kv.put("dbname", decode(rest.substring(slash + 1)));
    }
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userinfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = userinfo.indexOf(':');
      if (colon >= 0) {
        kv.put("user", decode(userinfo.substring(0, colon)));
        kv.put("password", decode(userinfo.substring(colon + 1)));
      } else if (!userinfo.isEmpty()) {
        kv.put("user", decode(userinfo));
      }
    }
    if (!authority.isEmpty()) {
      String hostPart = authority;
      if (authority.startsWith("[")) {
        int close = authority.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException("unterminated IPv6 address in URI \"" + uri + "\"");
        }
        hostPart = authority.substring(1, close);
        if (close + 1 < authority.length() && authority.charAt(close + 1) == ':') {
          kv.put("port", authority.substring(close + 2));
        }
      } else {
        int colon = authority.lastIndexOf(':');
        if (colon >= 0) {
          kv.put("port", authority.substring(colon + 1));
          hostPart = authority.substring(0, colon);
        }
      }
      if (!hostPart.isEmpty()) {
        kv.put("host", decode(hostPart));
      }
    }
    if (!query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException(
              "missing key/value separator \"=\" in URI query parameter: \"" + pair + "\"");
        }
        String k = decode(pair.substring(0, eq));
        kv.put(k.equals("ssl") ? "sslmode" : k, decode(pair.substring(eq + 1)));
      }
    }
    return kv;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
