package io.klio.client;

import io.klio.api.grpc.v1.BackupSummary;
import java.time.Duration;

/**
 * A committed backup: the server's summary (the catalog's record) and what the client measured.
 *
 * @param summary as stored in the catalog: id, LSNs, timelines, WAL files, sizes
 * @param sentBytes chunk bytes sent to the server (encoded), what crossed the network
 * @param vanished files that were gone when their turn came (left out, as PostgreSQL allows)
 * @param elapsed the wall time from connecting to PostgreSQL to the commit
 */
public record BackupOutcome(
    BackupSummary summary, long sentBytes, long vanished, Duration elapsed) {}
