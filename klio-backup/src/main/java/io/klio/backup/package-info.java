/**
 * Base backups and restores of PostgreSQL data directories, without the network: which files a
 * backup takes ({@link io.klio.backup.PgDataWalker}), reading and chunking them in parallel into
 * {@link io.klio.backup.ChunkSink}s ({@link io.klio.backup.FileBackup}), rebuilding a data
 * directory from {@link io.klio.backup.ChunkSource}s ({@link io.klio.backup.RestoreWriter}), and
 * {@code backup_label} ({@link io.klio.backup.BackupLabel}). klio-client implements the sink and
 * source over Klio's gRPC backup API; {@code io.klio.backup.recovery} holds the recovery settings
 * and the choice of a backup for a restore.
 */
package io.klio.backup;
