package io.klio.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {

  private static String capture(Logging.Format format, String level, Runnable logging) {
    PrintStream saved = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      Logging.configure(format, level);
      logging.run();
    } finally {
      System.setErr(saved);
      Logging.configure(Logging.Format.TEXT, "warn");
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void jsonLinesOrTextAtTheConfiguredLevel() {
    String json =
        capture(
            Logging.Format.JSON,
            "info",
            () -> {
              LoggerFactory.getLogger("klio.test")
                  .info("segment {} archived", "000000010000000000000001");
              LoggerFactory.getLogger("klio.test").debug("not shown");
            });
    assertThat(json.lines().filter(l -> !l.isBlank()))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .startsWith("{")
                    .contains("\"level\":\"INFO\"")
                    .contains("\"loggerName\":\"klio.test\"")
                    .contains(
                        "\"formattedMessage\":\"segment 000000010000000000000001 archived\""));
    String text =
        capture(
            Logging.Format.TEXT,
            "warn",
            () -> {
              LoggerFactory.getLogger("klio.test").warn("careful");
              LoggerFactory.getLogger("klio.test").info("not shown");
            });
    assertThat(text).contains("WARN").contains("careful").doesNotContain("not shown");
  }
}
