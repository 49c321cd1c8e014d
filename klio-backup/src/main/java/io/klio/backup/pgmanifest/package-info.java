/**
 * PostgreSQL's {@code backup_manifest}: writing one for a restored data directory, and verifying a
 * data directory against one with pg_verifybackup's rules.
 *
 * <h2>Writing</h2>
 *
 * {@link io.klio.backup.pgmanifest.BackupManifestWriter} streams a manifest in the server's exact
 * layout: version 1 (PostgreSQL 13–16) or version 2 with {@code System-Identifier} (17+); one line
 * per file with {@code Path} (JSON-escaped as the server's {@code escape_json}) or {@code
 * Encoded-Path} (hex, for names that are not UTF-8), {@code Size}, {@code Last-Modified} ({@code
 * %Y-%m-%d %H:%M:%S GMT}) and a checksum ({@link io.klio.backup.pgmanifest.ChecksumCalculator}:
 * CRC-32C as little-endian bytes, or SHA-224/256/384/512); the {@code WAL-Ranges} ({@link
 * io.klio.backup.pgmanifest.WalRanges} computes them from the backup's start and end and the end
 * timeline's {@link io.klio.api.TimelineHistory}); and {@code Manifest-Checksum}, the SHA-256 of
 * every byte up to the last line. Given the same files, sizes, times and checksums in the same
 * order, the output equals the server's byte for byte (the integration tests compare it with
 * pg_basebackup's manifests of PostgreSQL 15 and 18).
 *
 * <h2>Verifying</h2>
 *
 * {@link io.klio.backup.pgmanifest.BackupManifestVerifier} checks what pg_verifybackup checks of a
 * plain-format backup, and reports every problem, not only the first:
 *
 * <ul>
 *   <li><b>The manifest</b>, parsed as strictly as PostgreSQL's own parser: the version key first
 *       (1 only for 15–16, 1 or 2 for 17+), the checksum key last and nothing after it, no unknown
 *       key at the top level, in a file or in a WAL range, a path or an encoded path and a size in
 *       every file, no checksum without an algorithm, a known algorithm (matched without regard to
 *       case), no path twice, at least two lines and a final newline, and the {@code
 *       Manifest-Checksum}. Values are converted as pg converts them (with {@code strtoul}, so a
 *       size may even be a JSON string). Any of these is fatal: it is the one finding.
 *   <li><b>The control file</b>, for a version 2 manifest: {@code global/pg_control} must have a
 *       correct CRC-32C, a known control version (the major's own when emulating one) and the
 *       manifest's system identifier.
 *   <li><b>The directory</b>, walked with {@code stat()} semantics (symbolic links such as {@code
 *       pg_tblspc/<oid>} are followed): anything that is neither a regular file nor a directory, a
 *       file the manifest does not list, a size that differs, and a listed file that is not there.
 *       Always left out: {@code backup_manifest}, {@code pg_wal} and everything under it, {@code
 *       postgresql.auto.conf}, {@code recovery.signal} and {@code standby.signal}; callers add more
 *       (each path with everything under it, like {@code -i}).
 *   <li><b>Checksums</b> of every listed file that was found with the right size and has an
 *       algorithm other than NONE, read in 128 KiB pieces: the bytes read must be the size, the
 *       digest length and the digest must match. They can be skipped (like {@code -s}).
 * </ul>
 *
 * <p>Not checked:
 *
 * <ul>
 *   <li><b>The WAL.</b> pg_verifybackup runs {@code pg_waldump} over each WAL range unless given
 *       {@code -n}; this verifier never does. A restored directory starts with an empty {@code
 *       pg_wal}, and WAL is verified when the server replays it. The ranges are still parsed.
 *   <li><b>Tar-format backups</b> (pg_verifybackup 18 reads {@code base.tar} and friends).
 *   <li>{@code Last-Modified}, which pg never checks either.
 * </ul>
 *
 * <p>Known differences from pg_verifybackup, all on input no PostgreSQL writes: tokens over 1 MiB
 * are refused; a manifest over 128 KiB whose last 64 KiB hold fewer than two newlines passes here
 * but not in pg 17+ (which checks the newline rule on its last read chunk only); a directory that
 * contains itself through a symbolic link is reported once instead of until the path is too long;
 * names are compared as the JVM decodes them ({@code sun.jnu.encoding}), so a name that is not
 * valid in that encoding is found (the integration tests check one that is not UTF-8), but two
 * names that differ only in such bytes look the same and are reported as a duplicate path.
 */
package io.klio.backup.pgmanifest;
