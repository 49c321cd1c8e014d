package io.klio.backup;

import java.time.Instant;

/**
 * A regular file a restore wrote, as PostgreSQL's {@code backup_manifest} lists it.
 *
 * @param path the name in the backup ({@code base/5/1259}, {@code pg_tblspc/16385/…}, {@code
 *     backup_label})
 * @param size its size in bytes
 * @param mtime its modification time as set
 * @param crc32c CRC-32C of its bytes
 */
public record WrittenFile(String path, long size, Instant mtime, int crc32c) {}
