package io.klio.server.quickstart;

import java.nio.file.Path;
import java.util.List;

/** A step that failed: what went wrong, and the logs whose last lines show why. */
final class StepFailure extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient List<Path> logs;

  StepFailure(String message, List<Path> logs) {
    super(message);
    this.logs = List.copyOf(logs);
  }

  StepFailure(String message) {
    this(message, List.of());
  }

  List<Path> logs() {
    return logs;
  }
}
