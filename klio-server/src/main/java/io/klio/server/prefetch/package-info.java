/**
 * The WAL prefetcher of a restore: a process that outlives PostgreSQL's {@code restore_command}
 * calls and keeps the next segments of the timeline being replayed in a spool directory, from where
 * the restore command takes them without starting a JVM ({@link
 * io.klio.server.cli.RestoreCommandLine}). {@link io.klio.server.prefetch.Spool} is the directory's
 * layout, {@link io.klio.server.prefetch.PrefetchDaemon} the process, {@link
 * io.klio.server.prefetch.PrefetchLauncher} starts it from {@code klio get-wal --prefetch}.
 * docs/cli.md ({@code klio get-wal}) describes the whole.
 */
package io.klio.server.prefetch;
