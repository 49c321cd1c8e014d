package io.klio.server.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What {@code klio backup --output json} printed, the fields the quickstart shows.
 *
 * @param id the backup id
 * @param dataBytes the size of the files backed up
 * @param newBytes of those, the bytes in chunks the repository did not hold yet
 * @param storedBytes what those new chunks take in the repository (compressed, encrypted)
 * @param fileCount how many files
 * @param seconds how long the backup took
 */
record BackupReport(
    String id, long dataBytes, long newBytes, long storedBytes, long fileCount, double seconds) {

  static BackupReport parse(String json) throws IOException {
    JsonNode n = object("backup", json);
    return new BackupReport(
        n.get("backup_id").asText(),
        n.path("data_bytes").asLong(),
        n.path("new_bytes").asLong(),
        n.path("stored_bytes").asLong(),
        n.path("file_count").asLong(),
        n.path("elapsed_seconds").asDouble());
  }

  /** The backup that {@code klio restore --output json} says it restored. */
  static String restoredFrom(String json) throws IOException {
    return object("restore", json).get("backup_id").asText();
  }

  private static JsonNode object(String command, String json) throws IOException {
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IOException(
          "klio " + command + " --output json printed no JSON object: " + e.getMessage());
    }
    if (n == null || !n.isObject() || !n.hasNonNull("backup_id")) {
      throw new IOException(
          "klio " + command + " --output json printed no backup_id: " + json.strip());
    }
    return n;
  }
}
