package io.klio.backup;

/**
 * Where a running restore is.
 *
 * @param bytesTotal the bytes to write, as the caller gave them (the summary's {@code data_bytes};
 *     0 when unknown)
 * @param filesTotal the files to write (the summary's {@code file_count}; 0 when unknown)
 * @param bytesWritten bytes written so far
 * @param filesDone files written, checked and synced
 */
public record RestoreProgress(
    long bytesTotal, long filesTotal, long bytesWritten, long filesDone) {}
