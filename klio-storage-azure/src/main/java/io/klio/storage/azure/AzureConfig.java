package io.klio.storage.azure;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What an {@code azure:} URI and its options say, checked: {@code
 * azure://<account>/<container>[/<prefix>][?option=value&…]}. Options may come in the URI's query
 * or in the options map, not both for one name. Holds file paths, never secrets.
 */
record AzureConfig(
    String account,
    String container,
    String prefix,
    String endpoint,
    Auth auth,
    Optional<Path> secretFile,
    Optional<String> clientId,
    Optional<String> tenantId,
    Optional<String> tier,
    int blockSize,
    int parallelism,
    int maxTries,
    Duration tryTimeout) {

  static final String ENDPOINT = "endpoint";
  static final String AUTH = "auth";
  static final String CONNECTION_STRING_FILE = "connection-string-file";
  static final String ACCOUNT_KEY_FILE = "account-key-file";
  static final String SAS_TOKEN_FILE = "sas-token-file";
  static final String CLIENT_ID = "client-id";
  static final String TENANT_ID = "tenant-id";
  static final String TIER = "tier";
  static final String BLOCK_SIZE = "block-size";
  static final String PARALLELISM = "parallelism";
  static final String MAX_TRIES = "max-tries";
  static final String TRY_TIMEOUT = "try-timeout-seconds";

  static final Set<String> OPTIONS =
      Set.of(
          ENDPOINT,
          AUTH,
          CONNECTION_STRING_FILE,
          ACCOUNT_KEY_FILE,
          SAS_TOKEN_FILE,
          CLIENT_ID,
          TENANT_ID,
          TIER,
          BLOCK_SIZE,
          PARALLELISM,
          MAX_TRIES,
          TRY_TIMEOUT);

  static final int DEFAULT_BLOCK_SIZE = 8 << 20;
  static final int MIN_BLOCK_SIZE = 64 << 10;
  static final int MAX_BLOCK_SIZE = 256 << 20;

  private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
  private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:-?[a-z0-9]){2,62}");
  private static final Set<String> TIERS = Set.of("hot", "cool", "cold", "archive");

  /** How the store authenticates; the option value is the lower-case name with dashes. */
  enum Auth {
    CONNECTION_STRING(CONNECTION_STRING_FILE),
    SHARED_KEY(ACCOUNT_KEY_FILE),
    SAS(SAS_TOKEN_FILE),
    WORKLOAD_IDENTITY(null),
    MANAGED_IDENTITY(null),
    DEFAULT(null);

    /** The option naming the file with this method's secret, or null when it has none. */
    final String fileOption;

    Auth(String fileOption) {
      this.fileOption = fileOption;
    }

    String optionValue() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    boolean usesToken() {
      return fileOption == null;
    }
  }

  /** Parses and checks the URI and options; every problem names the URI or the option. */
  static AzureConfig parse(URI uri, Map<String, String> given) throws PermanentException {
    Map<String, String> o = merge(uri, given);
    String account = uri.getAuthority();
    if (account == null || !ACCOUNT.matcher(account).matches()) {
      throw bad(
          uri, "the storage account after azure:// must be 3 to 24 lower-case letters/digits");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    path = path.startsWith("/") ? path.substring(1) : path;
    int slash = path.indexOf('/');
    String container = slash < 0 ? path : path.substring(0, slash);
    String prefix = slash < 0 ? "" : path.substring(slash + 1);
    if (!CONTAINER.matcher(container).matches()) {
      throw bad(
          uri,
          "the container ('"
              + container
              + "') must be 3 to 63 lower-case letters, digits and single dashes:"
              + " azure://account/container/prefix");
    }
    if (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (!prefix.isEmpty()) {
      try {
        BlobKey.of(prefix);
      } catch (IllegalArgumentException e) {
        throw bad(uri, "the prefix is not a valid key path: " + e.getMessage());
      }
    }
    String endpoint =
        o.getOrDefault(ENDPOINT, "https://" + account + ".blob.core.windows.net").trim();
    if (endpoint.endsWith("/")) {
      endpoint = endpoint.substring(0, endpoint.length() - 1);
    }
    if (!endpoint.startsWith("https://") && !endpoint.startsWith("http://")) {
      throw option(ENDPOINT, endpoint, "use an http:// or https:// URL of the blob service");
    }
    Auth auth = auth(o);
    Optional<Path> secret = Optional.ofNullable(auth.fileOption).map(n -> Path.of(o.get(n)));
    if (auth.usesToken() && endpoint.startsWith("http://")) {
      throw option(
          AUTH,
          auth.optionValue(),
          "Azure AD tokens are only sent over https, and the endpoint is " + endpoint);
    }
    if (auth == Auth.CONNECTION_STRING) {
      if (o.containsKey(ENDPOINT)) {
        throw option(ENDPOINT, endpoint, "the connection string names the endpoint; drop one");
      }
      endpoint = "";
    }
    if ((o.containsKey(CLIENT_ID) || o.containsKey(TENANT_ID)) && !auth.usesToken()) {
      throw option(
          o.containsKey(CLIENT_ID) ? CLIENT_ID : TENANT_ID,
          o.getOrDefault(CLIENT_ID, o.get(TENANT_ID)),
          "only the identity methods use it, and auth is " + auth.optionValue());
    }
    Optional<String> tier = Optional.ofNullable(o.get(TIER)).map(t -> t.toLowerCase(Locale.ROOT));
    if (tier.isPresent() && !TIERS.contains(tier.get())) {
      throw option(TIER, o.get(TIER), "use one of " + new TreeSet<>(TIERS));
    }
    int blockSize = size(o, BLOCK_SIZE, DEFAULT_BLOCK_SIZE);
    int parallelism = integer(o, PARALLELISM, 4, 1, 64);
    int maxTries = integer(o, MAX_TRIES, 4, 1, 20);
    int tryTimeout = integer(o, TRY_TIMEOUT, 120, 1, 3600);
    return new AzureConfig(
        account,
        container,
        prefix,
        endpoint,
        auth,
        secret,
        Optional.ofNullable(o.get(CLIENT_ID)),
        Optional.ofNullable(o.get(TENANT_ID)),
        tier,
        blockSize,
        parallelism,
        maxTries,
        Duration.ofSeconds(tryTimeout));
  }

  /** {@code azure://account/container/prefix}, without options: safe for messages. */
  String describe() {
    return "azure://" + account + "/" + container + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  /** The store and where it is, for error messages. */
  String where() {
    return where(endpoint.isEmpty() ? "the connection string's endpoint" : endpoint);
  }

  /** The store, the given endpoint and the auth method, for error messages. */
  String where(String url) {
    return describe() + " (at " + url + ", auth " + auth.optionValue() + ")";
  }

  private static Map<String, String> merge(URI uri, Map<String, String> given)
      throws PermanentException {
    Map<String, String> all = new HashMap<>(given);
    String query = uri.getRawQuery();
    if (query == null || query.isEmpty()) {
      return all;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (!OPTIONS.contains(name)) {
        throw bad(uri, "unknown option '" + name + "'; the options are " + new TreeSet<>(OPTIONS));
      }
      if (all.putIfAbsent(name, value) != null) {
        throw bad(uri, "option '" + name + "' is given twice (in the URI and in the options)");
      }
    }
    return all;
  }

  private static Auth auth(Map<String, String> o) throws PermanentException {
    Auth chosen = null;
    if (o.containsKey(AUTH)) {
      String v = o.get(AUTH).trim().toLowerCase(Locale.ROOT);
      for (Auth a : Auth.values()) {
        if (a.optionValue().equals(v)) {
          chosen = a;
        }
      }
      if (chosen == null) {
        throw option(
            AUTH,
            o.get(AUTH),
            "use connection-string, shared-key, sas, workload-identity, managed-identity or"
                + " default");
      }
    }
    Auth byFile = null;
    for (Auth a : Auth.values()) {
      if (a.fileOption != null && o.containsKey(a.fileOption)) {
        if (byFile != null) {
          throw option(
              a.fileOption, o.get(a.fileOption), "give one of " + byFile.fileOption + " and it");
        }
        byFile = a;
      }
    }
    if (chosen == null) {
      return byFile == null ? Auth.DEFAULT : byFile;
    }
    if (chosen.fileOption != null && byFile != chosen) {
      throw option(
          AUTH, chosen.optionValue(), "it needs option " + chosen.fileOption + " (a file path)");
    }
    if (chosen.fileOption == null && byFile != null) {
      throw option(
          byFile.fileOption,
          o.get(byFile.fileOption),
          "auth " + chosen.optionValue() + " uses no secret file");
    }
    return chosen;
  }

  private static int size(Map<String, String> o, String name, int dflt) throws PermanentException {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    String t = v.trim();
    long unit = 1;
    if (t.endsWith("KiB")) {
      unit = 1 << 10;
    } else if (t.endsWith("MiB")) {
      unit = 1 << 20;
    }
    String digits = unit == 1 ? t : t.substring(0, t.length() - 3).trim();
    long bytes;
    try {
      bytes = Long.parseLong(digits) * unit;
    } catch (NumberFormatException e) {
      throw option(name, v, "use a number of bytes, or of KiB or MiB such as 8MiB");
    }
    if (bytes < MIN_BLOCK_SIZE || bytes > MAX_BLOCK_SIZE) {
      throw option(name, v, "use 64KiB to 256MiB");
    }
    return (int) bytes;
  }

  private static int integer(Map<String, String> o, String name, int dflt, int min, int max)
      throws PermanentException {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw option(name, v, "use a whole number from " + min + " to " + max);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static PermanentException bad(URI uri, String why) {
    return new PermanentException("azure storage URI '" + uri + "': " + why);
  }

  private static PermanentException option(String name, String value, String why) {
    return new PermanentException("option " + name + "='" + value + "' for azure storage: " + why);
  }
}
