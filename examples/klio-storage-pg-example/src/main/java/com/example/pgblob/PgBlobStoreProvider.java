package com.example.pgblob;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStoreProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code pgblob:} scheme: {@code pgblob://host[:port]/database?user=klio&password-file=/path},
 * a {@link PgBlobStore} on a table of a PostgreSQL database. Options come in the URI's query or in
 * the options map (not the same name in both):
 *
 * <ul>
 *   <li>{@code user}: the role to log in as (required);
 *   <li>{@code password-file}: a file holding its password (none: trust or a {@code .pgpass});
 *   <li>{@code table}: the objects' table, {@code <table>_parts} holds their bytes ({@code
 *       klio_blobs});
 *   <li>{@code part-size}: bytes per stored part, 64 KiB to 64 MiB ({@code 1MiB});
 *   <li>{@code pool-size}: connections the store keeps, 1 to 64 ({@code 8});
 *   <li>{@code ssl-mode}, {@code ssl-root-cert}: pgjdbc's {@code sslmode} and {@code sslrootcert}.
 * </ul>
 *
 * <p>Creating the provider is free; {@link #open} connects once, to create the tables if missing.
 */
public final class PgBlobStoreProvider implements BlobStoreProvider {

  static final String USER = "user";
  static final String PASSWORD_FILE = "password-file";
  static final String TABLE = "table";
  static final String PART_SIZE = "part-size";
  static final String POOL_SIZE = "pool-size";
  static final String SSL_MODE = "ssl-mode";
  static final String SSL_ROOT_CERT = "ssl-root-cert";

  private static final Set<String> NAMES =
      Set.of(USER, PASSWORD_FILE, TABLE, PART_SIZE, POOL_SIZE, SSL_MODE, SSL_ROOT_CERT);
  private static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
  private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_.-]{1,63}");
  private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,47}");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,9})(|KiB|MiB)");

  @Override
  public String scheme() {
    return "pgblob";
  }

  @Override
  public Set<String> optionNames() {
    return NAMES;
  }

  @Override
  public BlobStore open(URI uri, Map<String, String> options) throws IOException {
    if (uri.getRawUserInfo() != null) { // not echoed: it may hold a password
      throw new PermanentException(
          "a pgblob storage URI carries no credentials (user:password@): give the options "
              + USER
              + " and "
              + PASSWORD_FILE);
    }
    Map<String, String> o = withQuery(uri, options);
    String host = uri.getHost();
    String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (host == null || !DATABASE.matcher(database).matches()) {
      throw bad(uri, "write it as pgblob://host[:port]/database?user=…");
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String table = o.getOrDefault(TABLE, "klio_blobs");
    if (!TABLE_NAME.matcher(table).matches()) {
      throw bad(uri, "option table='" + table + "': use a-z, 0-9 and _, at most 48 characters");
    }
    Properties props = new Properties();
    props.setProperty("user", required(uri, o, USER));
    if (o.containsKey(PASSWORD_FILE)) {
      props.setProperty("password", password(uri, Path.of(o.get(PASSWORD_FILE))));
    }
    if (o.containsKey(SSL_MODE)) {
      if (!SSL_MODES.contains(o.get(SSL_MODE))) {
        throw bad(uri, "option ssl-mode='" + o.get(SSL_MODE) + "': use one of " + SSL_MODES);
      }
      props.setProperty("sslmode", o.get(SSL_MODE));
    }
    if (o.containsKey(SSL_ROOT_CERT)) {
      props.setProperty("sslrootcert", o.get(SSL_ROOT_CERT));
    }
    props.setProperty("ApplicationName", "klio pgblob");
    props.setProperty("connectTimeout", "10");
    props.setProperty("tcpKeepAlive", "true");
    return PgBlobStore.open(
        "jdbc:postgresql://" + host + ":" + port + "/" + database,
        props,
        table,
        (int) size(uri, o.getOrDefault(PART_SIZE, "1MiB"), 64 << 10, 64 << 20),
        (int) number(uri, POOL_SIZE, o.getOrDefault(POOL_SIZE, "8"), 1, 64),
        "pgblob://" + host + ":" + port + "/" + database + "?table=" + table);
  }

  /** The options map plus the URI's query; an unknown or doubled name is an error. */
  private static Map<String, String> withQuery(URI uri, Map<String, String> options)
      throws PermanentException {
    Map<String, String> all = new HashMap<>(options);
    String query = uri.getRawQuery();
    for (String pair : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
      String[] nv = pair.split("=", 2);
      String name = URLDecoder.decode(nv[0], StandardCharsets.UTF_8);
      if (!NAMES.contains(name)) {
        throw bad(uri, "unknown option '" + name + "'; the options are " + new TreeSet<>(NAMES));
      }
      String value = nv.length < 2 ? "" : URLDecoder.decode(nv[1], StandardCharsets.UTF_8);
      if (all.putIfAbsent(name, value) != null) {
        throw bad(uri, "option '" + name + "' is given twice (in the URI and in the options)");
      }
    }
    return all;
  }

  private static String required(URI uri, Map<String, String> o, String name)
      throws PermanentException {
    String value = o.get(name);
    if (value == null || value.isEmpty()) {
      throw bad(uri, "option " + name + " is required");
    }
    return value;
  }

  private static String password(URI uri, Path file) throws PermanentException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).replaceFirst("\\R$", "");
    } catch (IOException e) {
      throw bad(uri, "cannot read " + PASSWORD_FILE + " " + file + ": " + e);
    }
  }

  private static long size(URI uri, String value, long min, long max) throws PermanentException {
    Matcher m = SIZE.matcher(value.trim());
    if (m.matches()) {
      long n =
          Long.parseLong(m.group(1))
              << (m.group(2).isEmpty() ? 0 : m.group(2).equals("KiB") ? 10 : 20);
      if (n >= min && n <= max) {
        return n;
      }
    }
    throw bad(
        uri, "option " + PART_SIZE + "='" + value + "': use 64KiB to 64MiB (bytes, KiB or MiB)");
  }

  private static long number(URI uri, String name, String value, long min, long max)
      throws PermanentException {
    try {
      long n = Long.parseLong(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(uri, "option " + name + "='" + value + "': use a number from " + min + " to " + max);
  }

  private static PermanentException bad(URI uri, String problem) {
    return new PermanentException("pgblob storage URI '" + uri + "': " + problem);
  }
}
