package io.klio.backup;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A tablespace as {@code pg_backup_start} finds it in {@code pg_tblspc}.
 *
 * @param name the entry's name in {@code pg_tblspc} (the tablespace's oid)
 * @param oid that oid
 * @param location the link's target as written (what {@code tablespace_map} says), or {@code
 *     pg_tblspc/<oid>} for an in-place tablespace (a directory, a testing feature)
 * @param directory the tablespace directory on this host
 * @param insideDataDirectory the location relative to the data directory when it lies inside it:
 *     the main walk keeps that directory but not its contents, which come with the tablespace
 */
record TablespaceLink(
    String name, long oid, String location, Path directory, Optional<String> insideDataDirectory) {}
