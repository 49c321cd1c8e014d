package io.klio.client;

import io.klio.api.WalSegmentSize;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads files of the cluster's WAL archive from the server: what a {@code restore_command} needs.
 * Thread-safe: fetches may run in parallel (they share the connection). Lives as long as its {@link
 * KlioConnection}.
 *
 * <p>Errors: {@link NotFoundException} when the archive does not hold the file (an answer, not a
 * failure); {@link RetryableException} when the server could not be reached or the call ran out of
 * time; {@link PermanentException} when retrying will not help (a refused certificate, a
 * certificate of another cluster, a damaged object).
 */
public interface WalFetcher {

  /** A fetched file: its whole content, and whether it is the {@code .partial} of a segment. */
  record Fetched(byte[] content, boolean partial) {}

  /** The cluster's WAL segment size as the archive records it; empty while it holds no WAL. */
  Optional<WalSegmentSize> segmentSize() throws IOException;

  /**
   * The file {@code name} (a segment, {@code <segment>.partial}, or {@code <timeline>.history}):
   * for a segment only held as {@code .partial} (the newest of a failed primary), that, with {@link
   * Fetched#partial()} set.
   *
   * @param deadline how long the call may take in all
   */
  Fetched fetch(String name, Duration deadline) throws IOException;
}
