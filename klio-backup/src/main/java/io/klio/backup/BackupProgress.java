package io.klio.backup;

/**
 * Where a running backup is.
 *
 * @param bytesTotal the size of every regular file when the backup started (a stat walk)
 * @param filesTotal the number of regular files then
 * @param bytesRead bytes read from files so far
 * @param bytesSent encoded bytes put into the sinks (what crosses the network)
 * @param filesDone regular files recorded
 * @param chunksNew chunks the repository lacked, put
 * @param chunksKnown chunks the repository had (or another chunk of this backup put)
 */
public record BackupProgress(
    long bytesTotal,
    long filesTotal,
    long bytesRead,
    long bytesSent,
    long filesDone,
    long chunksNew,
    long chunksKnown) {}
