package io.klio.dedup.repo;

/**
 * What one garbage collection did.
 *
 * @param liveChunks distinct live chunk ids given
 * @param repairedPacks orphan packs (a writer crashed before indexing them) indexed first
 * @param condemnedPacks packs this run condemned (no live chunk, or repacked)
 * @param repackedChunks live chunks copied out of sparse packs
 * @param repackedBytes their stored size
 * @param deletedPacks packs deleted by this run's sweep
 * @param freedBytes the deleted packs' size
 * @param rescuedPacks condemned packs kept because a manifest written meanwhile needs them
 * @param deferredLists condemned lists left for a later run, because writer sessions that started
 *     before them are still open
 */
public record GcReport(
    long liveChunks,
    int repairedPacks,
    int condemnedPacks,
    long repackedChunks,
    long repackedBytes,
    int deletedPacks,
    long freedBytes,
    int rescuedPacks,
    int deferredLists) {}
