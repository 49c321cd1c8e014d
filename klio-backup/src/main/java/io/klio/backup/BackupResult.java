package io.klio.backup;

import java.time.Duration;

/**
 * What a backup read and sent; the figures of the manifest's summary.
 *
 * @param files regular files recorded
 * @param directories directories recorded
 * @param dataBytes bytes read from the regular files (their sizes in the manifest, summed)
 * @param chunks chunk references of all files (with repeats)
 * @param newChunks chunks the repository lacked, put
 * @param newBytes their length before encoding
 * @param sentBytes their length as encoded
 * @param vanished files that were gone when their turn came (left out)
 * @param elapsed the backup's wall time, stat walk included
 */
public record BackupResult(
    long files,
    long directories,
    long dataBytes,
    long chunks,
    long newChunks,
    long newBytes,
    long sentBytes,
    long vanished,
    Duration elapsed) {}
