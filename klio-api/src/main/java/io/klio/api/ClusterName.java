package io.klio.api;

import java.util.regex.Pattern;

/**
 * The name of a protected PostgreSQL cluster, following the Kubernetes rules for object names that
 * are DNS labels (RFC 1123): 1 to 63 characters, lower-case letters, digits and {@code -}, starting
 * and ending with a letter or digit. It appears in storage keys and certificate names.
 */
public record ClusterName(String value) implements Comparable<ClusterName> {

  public static final int MAX_LENGTH = 63;
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  public ClusterName {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("cluster name is empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "cluster name '" + value + "' is " + value.length() + " characters; at most 63 allowed");
    }
    if (!LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "invalid cluster name '"
              + value
              + "': use lower-case letters, digits and '-', starting and ending with a letter or"
              + " digit (a DNS label, as for Kubernetes names)");
    }
  }

  public static ClusterName of(String value) {
    return new ClusterName(value);
  }

  @Override
  public int compareTo(ClusterName o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
