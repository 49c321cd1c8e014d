package io.klio.backup.pgmanifest;

/**
 * A {@code backup_manifest} that PostgreSQL's parser would refuse. The message is the one
 * pg_verifybackup prints (most begin with {@code could not parse backup manifest:}), with the line
 * where the problem was found when that is known.
 */
final class ManifestParseException extends Exception {

  private static final long serialVersionUID = 1L;

  ManifestParseException(String message) {
    super(message);
  }
}
