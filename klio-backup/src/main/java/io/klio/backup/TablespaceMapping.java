package io.klio.backup;

import java.nio.file.Path;

/**
 * Restores the tablespace that was at {@code oldDirectory} into {@code newDirectory} instead, as
 * {@code pg_basebackup --tablespace-mapping=OLDDIR=NEWDIR}: both absolute, compared after removing
 * redundant separators and {@code .} segments.
 *
 * @param oldDirectory the tablespace's location when the backup was taken
 * @param newDirectory where the restore puts it (and where {@code pg_tblspc/<oid>} will point)
 */
public record TablespaceMapping(String oldDirectory, String newDirectory) {

  public TablespaceMapping {
    oldDirectory = canonical(oldDirectory, "old");
    newDirectory = canonical(newDirectory, "new");
  }

  /**
   * Parses {@code OLDDIR=NEWDIR}; a {@code =} inside a directory name is written {@code \=}.
   *
   * @throws IllegalArgumentException naming the text when it is not of that form
   */
  public static TablespaceMapping parse(String text) {
    StringBuilder oldDir = new StringBuilder();
    StringBuilder newDir = new StringBuilder();
    StringBuilder into = oldDir;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '=') {
        into.append('=');
        i++;
      } else if (c == '=') {
        if (into == newDir) {
          throw invalid(text, "multiple \"=\" signs");
        }
        into = newDir;
      } else {
        into.append(c);
      }
    }
    if (into != newDir || oldDir.isEmpty() || newDir.isEmpty()) {
      throw invalid(text, "it must be OLDDIR=NEWDIR");
    }
    return new TablespaceMapping(oldDir.toString(), newDir.toString());
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException(
        "invalid tablespace mapping '"
            + text
            + "': "
            + why
            + " (write a \"=\" inside a directory name as \\=)");
  }

  private static String canonical(String dir, String which) {
    if (dir == null || !dir.startsWith("/")) {
      throw new IllegalArgumentException(
          which + " directory is not an absolute path in tablespace mapping: " + dir);
    }
    return Path.of(dir).normalize().toString();
  }
}
