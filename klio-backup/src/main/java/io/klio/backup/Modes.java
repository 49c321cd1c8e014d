package io.klio.backup;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Permission bits (0700, 0640 …) to and from Java's permission sets. */
final class Modes {

  private static final PosixFilePermission[] BY_BIT = {
    PosixFilePermission.OTHERS_EXECUTE,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_READ,
  };

  private Modes() {}

  static int bits(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (int bit = 0; bit < BY_BIT.length; bit++) {
      if (permissions.contains(BY_BIT[bit])) {
        mode |= 1 << bit;
      }
    }
    return mode;
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BY_BIT.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        s.add(BY_BIT[bit]);
      }
    }
    return s;
  }

  static String octal(int mode) {
    return String.format("%04o", mode);
  }
}
