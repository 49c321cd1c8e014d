package io.klio.backup.recovery;

import io.klio.api.TimelineId;
import java.util.Optional;

/**
 * {@code recovery_target_timeline}: {@code latest} (PostgreSQL's default), {@code current} (the
 * backup's), or a timeline number.
 *
 * @param number the timeline, when a number was given
 */
public record TargetTimeline(String keyword, Optional<TimelineId> number) {

  public static final TargetTimeline LATEST = new TargetTimeline("latest", Optional.empty());
  public static final TargetTimeline CURRENT = new TargetTimeline("current", Optional.empty());

  public TargetTimeline {
    if (number.isPresent() != keyword.isEmpty()
        || !(keyword.isEmpty() || keyword.equals("latest") || keyword.equals("current"))) {
      throw new IllegalArgumentException(
          "a target timeline is latest, current or a number, not '" + keyword + "'");
    }
  }

  public static TargetTimeline of(TimelineId timeline) {
    return new TargetTimeline("", Optional.of(timeline));
  }

  /**
   * Parses {@code latest}, {@code current} or a decimal timeline (1 to 4294967295).
   *
   * @throws IllegalArgumentException naming the text otherwise
   */
  public static TargetTimeline parse(String text) {
    switch (text) {
      case "latest" -> {
        return LATEST;
      }
      case "current" -> {
        return CURRENT;
      }
      default -> {
        if (!text.matches("[0-9]{1,10}")) {
          throw new IllegalArgumentException(
              "invalid target timeline '" + text + "': give latest, current or a number");
        }
        return of(TimelineId.parse(text));
      }
    }
  }

  /** The setting's value. */
  public String value() {
    return number.map(TimelineId::toString).orElse(keyword);
  }

  @Override
  public String toString() {
    return value();
  }
}
