package io.klio.client;

import io.klio.api.grpc.v1.BackupSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a restore did.
 *
 * @param backup the backup restored
 * @param dataDirectory where
 * @param tablespaces where each relocated or linked tablespace went, by oid
 * @param files regular files written (from the backup, plus backup_label and tablespace_map)
 * @param bytes their bytes
 * @param chunks chunks read and checked
 * @param manifestFiles files the written {@code backup_manifest} lists (and the verifier checked)
 * @param recoverySettings the lines appended to {@code postgresql.auto.conf} (empty when the
 *     request asked for none)
 * @param elapsed wall time of the whole restore
 */
public record RestoreReport(
    BackupSummary backup,
    Path dataDirectory,
    Map<String, Path> tablespaces,
    long files,
    long bytes,
    long chunks,
    long manifestFiles,
    String recoverySettings,
    Duration elapsed) {

  public RestoreReport {
    tablespaces = Map.copyOf(tablespaces);
  }
}
