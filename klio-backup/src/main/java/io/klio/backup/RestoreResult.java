package io.klio.backup;

import java.time.Duration;

/**
 * What a restore wrote.
 *
 * @param files regular files
 * @param directories directories from the manifest
 * @param bytes bytes of the regular files
 * @param chunks chunks read and checked
 * @param elapsed wall time
 */
public record RestoreResult(
    long files, long directories, long bytes, long chunks, Duration elapsed) {}
