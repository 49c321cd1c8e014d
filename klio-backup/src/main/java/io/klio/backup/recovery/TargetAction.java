package io.klio.backup.recovery;

import java.util.Locale;

/** {@code recovery_target_action}: what the server does once it reached the target. */
public enum TargetAction {
  /** PostgreSQL's default: stay in recovery, paused (shuts down without hot_standby). */
  PAUSE,
  /** End recovery and accept writes. */
  PROMOTE,
  /** Stop the server. */
  SHUTDOWN;

  /** The setting's value: {@code pause}, {@code promote} or {@code shutdown}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the text unless it is pause, promote or shutdown
   */
  public static TargetAction parse(String text) {
    for (TargetAction a : values()) {
      if (a.value().equals(text)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "invalid target action '" + text + "': give pause, promote or shutdown");
  }
}
