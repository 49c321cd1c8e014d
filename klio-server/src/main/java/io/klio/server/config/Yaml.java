package io.klio.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.klio.client.ServerAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Strict YAML configuration reading: an unknown field, a value of the wrong type or bad YAML stops
 * with an error that names the file, the field (as a dotted path) and the line.
 */
public final class Yaml {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Yaml() {}

  /** Reads {@code file} as a {@code type}. */
  public static <T> T read(Path file, Class<T> type) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
    try {
      T value = MAPPER.readValue(bytes, type);
      if (value == null) {
        throw new ConfigException(file + ": the file is empty");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : "; known fields here: "
                  + e.getKnownPropertyIds().stream()
                      .map(Object::toString)
                      .collect(Collectors.toCollection(TreeSet::new));
      throw new ConfigException(
          file
              + ": unknown field '"
              + path(e)
              + "'"
              + lineOf(bytes, String.valueOf(e.getPropertyName()))
              + known,
          e);
    } catch (MismatchedInputException e) {
      throw new ConfigException(
          file
              + ": field '"
              + path(e)
              + "'"
              + at(tokenLocation(e))
              + " has the wrong type: "
              + firstLine(e.getOriginalMessage()),
          e);
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConfigException(
          file
              + ": field '"
              + path(e)
              + "'"
              + at(e.getLocation())
              + ": "
              + firstLine(cause.getMessage()),
          e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          file
              + ": not valid YAML"
              + at(e.getLocation())
              + ": "
              + firstLine(e.getOriginalMessage()),
          e);
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  /**
   * The line of the first {@code name:} key in the file: Jackson buffers the fields of records, so
   * its own location can be past the offending key.
   */
  private static String lineOf(byte[] yaml, String name) {
    String[] lines = new String(yaml, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1);
    Pattern key = Pattern.compile("^\\s*(-\\s*)?" + Pattern.quote(name) + "\\s*:");
    for (int i = 0; i < lines.length; i++) {
      if (key.matcher(lines[i]).find()) {
        return " (line " + (i + 1) + ")";
      }
    }
    return "";
  }

  /** Where the offending token starts (the exception's own location may be past it). */
  private static JsonLocation tokenLocation(JsonMappingException e) {
    if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p) {
      return p.currentTokenLocation();
    }
    return e.getLocation();
  }

  private static String at(JsonLocation l) {
    return l == null || l.getLineNr() < 0 ? "" : " (line " + l.getLineNr() + ")";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** A duration such as {@code 200ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
  public static Duration duration(String field, String text) throws ConfigException {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ConfigException(
          "field '" + field + "': '" + text + "' is not a duration (such as 200ms, 10s, 5m, 1h)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  private static final Pattern RATE = Pattern.compile("(\\d+)\\s*(b|kib|mib|gib)(/s)?");

  /**
   * A rate such as {@code 500KiB/s}, {@code 100MiB/s}, {@code 1GiB/s} (the {@code /s} optional).
   */
  public static long bytesPerSecond(String field, String text) throws ConfigException {
    Matcher m = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new ConfigException(
          "field '"
              + field
              + "': '"
              + text
              + "' is not a bandwidth (such as 500KiB/s, 100MiB/s, 1GiB/s; leave it out for no"
              + " limit)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "b" -> n;
      case "kib" -> n << 10;
      case "mib" -> n << 20;
      default -> n << 30;
    };
  }

  /** {@code host:port}, checked, kept as written. */
  public static ServerAddress hostPort(String field, String text) throws ConfigException {
    try {
      return ServerAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("field '" + field + "': " + e.getMessage());
    }
  }

  /** {@code host:port}, checked, not resolved. */
  public static java.net.InetSocketAddress address(String field, String text)
      throws ConfigException {
    ServerAddress a = hostPort(field, text);
    return java.net.InetSocketAddress.createUnresolved(a.host(), a.port());
  }

  /** A file that must exist and be readable. */
  public static Path readableFile(String field, String text) throws ConfigException {
    if (text == null || text.isBlank()) {
      throw new ConfigException("field '" + field + "' is required");
    }
    Path p = Path.of(text);
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new ConfigException("field '" + field + "': " + p + " is not a readable file");
    }
    return p;
  }

  /** Logging as configured by a {@code log} section. */
  public static Logging.Format logFormat(String field, String text) throws ConfigException {
    return switch (text == null ? "text" : text.toLowerCase(Locale.ROOT)) {
      case "text" -> Logging.Format.TEXT;
      case "json" -> Logging.Format.JSON;
      default ->
          throw new ConfigException("field '" + field + "': '" + text + "' is not text or json");
    };
  }
}
