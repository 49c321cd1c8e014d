package io.klio.backup.recovery;

import io.klio.api.Lsn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Where recovery stops: one of PostgreSQL's {@code recovery_target*} settings. Values validate at
 * construction (the factory methods parse the command line's text) and throw {@link
 * IllegalArgumentException} naming the text.
 */
public sealed interface RecoveryTarget
    permits RecoveryTarget.Time,
        RecoveryTarget.AtLsn,
        RecoveryTarget.Xid,
        RecoveryTarget.Name,
        RecoveryTarget.Immediate {

  /** The setting's name, such as {@code recovery_target_time}. */
  String setting();

  /** The setting's value as PostgreSQL gets it. */
  String value();

  /** {@code --target-time}: the text is kept as given (PostgreSQL parses it again). */
  static Time time(String text) {
    return new Time(text, TargetTime.parse(text));
  }

  /** {@code --target-lsn}. */
  static AtLsn lsn(String text) {
    return new AtLsn(Lsn.parse(text));
  }

  /** {@code --target-xid}: a transaction id, 1 to 4294967295. */
  static Xid xid(String text) {
    if (!text.matches("[0-9]{1,10}") || Long.parseLong(text) > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          "invalid target xid '" + text + "': a transaction id is a decimal 1 to 4294967295");
    }
    return new Xid(Long.parseLong(text));
  }

  /** {@code --target-name}: a restore point made by {@code pg_create_restore_point}. */
  static Name name(String name) {
    return new Name(name);
  }

  /** {@code --target immediate}. */
  static Immediate immediate() {
    return Immediate.INSTANCE;
  }

  /**
   * A time, kept as written and parsed.
   *
   * @param text what the user wrote, handed to PostgreSQL unchanged
   * @param instant what it means, to choose a backup
   */
  record Time(String text, Instant instant) implements RecoveryTarget {
    public Time {
      if (!TargetTime.parse(text).equals(instant)) {
        throw new IllegalArgumentException(
            "target time '" + text + "' is " + TargetTime.parse(text) + ", not " + instant);
      }
    }

    @Override
    public String setting() {
      return "recovery_target_time";
    }

    @Override
    public String value() {
      return text;
    }
  }

  /** A WAL location. */
  record AtLsn(Lsn lsn) implements RecoveryTarget {
    @Override
    public String setting() {
      return "recovery_target_lsn";
    }

    @Override
    public String value() {
      return lsn.toString();
    }
  }

  /** A transaction id (32 bits, without epoch). */
  record Xid(long xid) implements RecoveryTarget {
    public Xid {
      if (xid < 1 || xid > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(
            "invalid target xid " + xid + ": a transaction id is 1 to 4294967295");
      }
    }

    @Override
    public String setting() {
      return "recovery_target_xid";
    }

    @Override
    public String value() {
      return Long.toString(xid);
    }
  }

  /** A named restore point: 1 to 63 bytes, as PostgreSQL's MAXFNAMELEN allows. */
  record Name(String name) implements RecoveryTarget {
    public Name {
      int bytes = name.getBytes(StandardCharsets.UTF_8).length;
      if (bytes == 0 || bytes >= 64) {
        throw new IllegalArgumentException(
            "invalid target name '"
                + name
                + "': a restore point name has 1 to 63 bytes, this one "
                + bytes);
      }
      if (name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid target name: it holds a NUL character");
      }
    }

    @Override
    public String setting() {
      return "recovery_target_name";
    }

    @Override
    public String value() {
      return name;
    }
  }

  /** As soon as the backup is consistent: its end. */
  final class Immediate implements RecoveryTarget {
    static final Immediate INSTANCE = new Immediate();

    private Immediate() {}

    @Override
    public String setting() {
      return "recovery_target";
    }

    @Override
    public String value() {
      return "immediate";
    }

    @Override
    public String toString() {
      return "Immediate";
    }
  }
}
