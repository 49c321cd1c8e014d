package io.klio.backup;

import java.util.List;
import java.util.Set;

/**
 * What PostgreSQL's base backups leave out, by name, as {@code src/backend/backup/basebackup.c}
 * ({@code sendDir}) and {@code do_pg_backup_start} decide it for one server major: the rules of 15
 * and 16, and those of 17 and later (which skip {@code .DS_Store}, create {@code pg_wal/summaries},
 * and parse relation and tablespace names more strictly). Immutable.
 */
final class PgDataRules {

  /** {@code PG_TEMP_FILE_PREFIX}: temporary files and directories, at any depth. */
  static final String TEMP_PREFIX = "pgsql_tmp";

  /** {@code RELCACHE_INIT_FILENAME}, excluded by prefix (its temporary files too). */
  static final String RELCACHE_INIT = "pg_internal.init";

  /** {@code excludeFiles} matched exactly. */
  static final Set<String> EXCLUDED_FILES =
      Set.of(
          "postgresql.auto.conf.tmp",
          "current_logfiles.tmp",
          "backup_label",
          "tablespace_map",
          "backup_manifest",
          "postmaster.pid",
          "postmaster.opts");

  /** {@code excludeDirContents}: the directory is kept, empty. */
  static final Set<String> EXCLUDED_CONTENTS =
      Set.of(
          "pg_stat_tmp",
          "pg_replslot",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_subtrans");

  /** The fork suffixes {@code forkname_chars} knows (the main fork has none). */
  private static final List<String> FORKS = List.of("fsm", "vm", "init");

  static final String INIT_FORK = "init";

  private final int major;

  private PgDataRules(int major) {
    this.major = major;
  }

  static PgDataRules forMajor(int major) {
    if (major < 15) {
      throw new IllegalArgumentException(
          "PostgreSQL " + major + " is not supported; Klio backs up PostgreSQL 15 and newer");
    }
    return new PgDataRules(major);
  }

  int major() {
    return major;
  }

  /** True when an entry of this name is left out wherever it is (before any stat). */
  boolean skippedByName(String name) {
    return name.startsWith(TEMP_PREFIX)
        || (major >= 17 && name.equals(".DS_Store"))
        || name.startsWith(RELCACHE_INIT)
        || EXCLUDED_FILES.contains(name);
  }

  /** True for the directories whose contents are left out, wherever they are. */
  boolean contentsExcluded(String name) {
    return EXCLUDED_CONTENTS.contains(name);
  }

  /** The directories a backup creates empty inside {@code pg_wal}. */
  List<String> walSubdirectories() {
    return major >= 17 ? List.of("archive_status", "summaries") : List.of("archive_status");
  }

  /**
   * Whether {@code cPath} (a directory as PostgreSQL names it: {@code ./base/5}, or a tablespace
   * directory {@code /loc/PG_15_202209061/5}) holds relation files: a directory with an all-digit
   * name whose parent is a prefix of {@code ./base} (sic: strncmp over the parent's length) or ends
   * with the tablespace version directory; from 17 on also {@code ./global}, for the unlogged rule
   * only ({@code databaseDirectory} tells the two apart).
   */
  DirectoryKind directoryKind(String cPath, String tablespaceVersionDirectory) {
    int slash = cPath.lastIndexOf('/');
    if (slash >= 0 && allDigits(cPath, slash + 1)) {
      String parent = cPath.substring(0, slash);
      boolean underBase = parent.length() <= 6 && "./base".startsWith(parent);
      boolean underTablespace =
          parent.length() >= tablespaceVersionDirectory.length()
              && parent.endsWith(tablespaceVersionDirectory);
      if (underBase || underTablespace) {
        return DirectoryKind.DATABASE;
      }
    } else if (major >= 17 && cPath.equals("./global")) {
      return DirectoryKind.GLOBAL;
    }
    return DirectoryKind.OTHER;
  }

  /** Which relation rules apply to the files of a directory. */
  enum DirectoryKind {
    /** a database directory: unlogged and temporary relations are left out */
    DATABASE,
    /** {@code global} from 17 on: unlogged relations are left out */
    GLOBAL,
    OTHER;

    boolean holdsRelations() {
      return this != OTHER;
    }
  }

  private static boolean allDigits(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * The name of the init fork of the relation {@code name} is a file of, when {@code name} is a
   * non-temporary relation file of a fork other than init ({@code
   * parse_filename_for_nontemp_relation} of this major); {@code null} otherwise. When that init
   * fork exists, PostgreSQL leaves the file out: it belongs to an unlogged relation, reset at
   * startup.
   */
  String initForkOf(String name) {
    int digits = 0;
    while (digits < name.length() && isDigit(name.charAt(digits))) {
      digits++;
    }
    if (digits == 0) {
      return null;
    }
    String number = name.substring(0, digits);
    if (digits > 10) {
      return null; // OIDCHARS up to 16; more than a uint32 from 17 on
    }
    if (major >= 17 && (name.charAt(0) == '0' || Long.parseLong(number) > 0xFFFF_FFFFL)) {
      return null;
    }
    int pos = digits;
    String fork = null;
    if (pos < name.length() && name.charAt(pos) == '_') {
      fork = forkAt(name, pos + 1);
      if (fork == null) {
        return null;
      }
      pos += 1 + fork.length();
    }
    if (pos < name.length() && name.charAt(pos) == '.') {
      int end = segmentEnd(name, pos + 1);
      if (end < 0) {
        return null;
      }
      pos = end;
    }
    if (pos != name.length() || INIT_FORK.equals(fork)) {
      return null;
    }
    return number + "_" + INIT_FORK;
  }

  /** {@code forkname_chars}: the fork name that starts at {@code from}, or null. */
  private static String forkAt(String name, int from) {
    for (String f : FORKS) {
      if (name.startsWith(f, from)) {
        return f;
      }
    }
    return null;
  }

  /** The end of a segment number starting at {@code from}, or -1 when there is none. */
  private int segmentEnd(String name, int from) {
    int end = from;
    while (end < name.length() && isDigit(name.charAt(end))) {
      end++;
    }
    if (end == from) {
      return -1;
    }
    if (major >= 17
        && (name.charAt(from) == '0'
            || end - from > 10
            || Long.parseLong(name.substring(from, end)) > 0xFFFF_FFFFL)) {
      return -1;
    }
    return end;
  }

  /**
   * {@code looks_like_temp_rel_name}: {@code t<backend>_<relfilenode>[_<fork>][.<segment>]}, a
   * temporary relation's file.
   */
  static boolean looksLikeTemporaryRelation(String name) {
    if (name.isEmpty() || name.charAt(0) != 't') {
      return false;
    }
    int pos = 1;
    while (pos < name.length() && isDigit(name.charAt(pos))) {
      pos++;
    }
    if (pos == 1 || pos >= name.length() || name.charAt(pos) != '_') {
      return false;
    }
    int start = ++pos;
    while (pos < name.length() && isDigit(name.charAt(pos))) {
      pos++;
    }
    if (pos == start) {
      return false;
    }
    if (pos < name.length() && name.charAt(pos) == '_') {
      String fork = forkAt(name, pos + 1);
      if (fork == null) {
        return false;
      }
      pos += 1 + fork.length();
    }
    if (pos < name.length() && name.charAt(pos) == '.') {
      int seg = pos + 1;
      while (seg < name.length() && isDigit(name.charAt(seg))) {
        seg++;
      }
      if (seg == pos + 1) {
        return false;
      }
      pos = seg;
    }
    return pos == name.length();
  }

  /**
   * Whether an entry of {@code pg_tblspc} with this name can be a tablespace ({@code
   * do_pg_backup_start}): all digits up to 16; from 17 on a number without a leading zero.
   */
  boolean tablespaceName(String name) {
    if (name.isEmpty() || !allDigits(name, 0)) {
      return false;
    }
    if (major < 17) {
      return true;
    }
    // strtoul must take it whole: no leading zero, at most ULONG_MAX
    return name.charAt(0) != '0'
        && (name.length() < 20
            || (name.length() == 20 && name.compareTo("18446744073709551615") <= 0));
  }
}
