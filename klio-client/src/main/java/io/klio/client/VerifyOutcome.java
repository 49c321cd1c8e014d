package io.klio.client;

import io.klio.api.grpc.v1.VerifyFinding;
import java.util.List;

/**
 * What {@link BackupClient#verify} checked and found.
 *
 * @param filesChecked regular files whose every chunk was read
 * @param bytesChecked their bytes
 * @param filesTotal regular files of the backup
 * @param bytesTotal their bytes
 * @param findings each bad chunk (its file, offset, chunk id, pack and problem) and each file whose
 *     checksum does not match; at most {@link #MAX_FINDINGS} are kept
 * @param findingCount how many problems were found, also beyond those kept
 */
public record VerifyOutcome(
    long filesChecked,
    long bytesChecked,
    long filesTotal,
    long bytesTotal,
    List<VerifyFinding> findings,
    long findingCount) {

  /** The most findings kept. */
  public static final int MAX_FINDINGS = 1000;

  public VerifyOutcome {
    findings = List.copyOf(findings);
  }

  /** Whether every chunk and file checked out. */
  public boolean ok() {
    return findingCount == 0;
  }
}
