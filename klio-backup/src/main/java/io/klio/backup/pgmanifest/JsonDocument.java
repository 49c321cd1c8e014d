package io.klio.backup.pgmanifest;

import io.klio.backup.pgmanifest.JsonLexer.Type;
import java.io.IOException;

/**
 * The JSON grammar of PostgreSQL's recursive-descent parser ({@code pg_parse_json}), calling the
 * semantic actions at the same points it does: an object or array start before its first token is
 * consumed, a field start once its name and colon are read, a scalar once the token after it is
 * read. An action that throws stops the parse.
 */
final class JsonDocument {

  /** The semantic actions (pg's {@code JsonSemAction}). */
  interface Events {
    void objectStart() throws ManifestParseException;

    void objectEnd() throws ManifestParseException;

    void arrayStart() throws ManifestParseException;

    void arrayEnd() throws ManifestParseException;

    void fieldStart(String name) throws ManifestParseException;

    /** A string (its decoded bytes) or a number, true, false or null (its lexeme). */
    void scalar(byte[] token) throws ManifestParseException;
  }

  /** A bound on nesting; a manifest's grammar refuses anything deeper than 3 long before. */
  private static final int MAX_DEPTH = 64;

  private final JsonLexer lex;
  private final Events events;

  private JsonDocument(JsonLexer lex, Events events) {
    this.lex = lex;
    this.events = events;
  }

  /** Parses one JSON value and the end of input after it. */
  static void parse(JsonLexer lex, Events events) throws IOException, ManifestParseException {
    JsonDocument d = new JsonDocument(lex, events);
    lex.next();
    d.value(0);
    if (lex.type() != Type.END) {
      throw lex.fail("Expected end of input, but found \"" + lex.tokenText() + "\".");
    }
  }

  private void value(int depth) throws IOException, ManifestParseException {
    if (depth > MAX_DEPTH) {
      throw lex.fail("JSON nested too deep.");
    }
    switch (lex.type()) {
      case OBJECT_START -> object(depth);
      case ARRAY_START -> array(depth);
      case STRING, NUMBER, TRUE, FALSE, NULL -> {
        byte[] v = lex.value();
        lex.next();
        events.scalar(v);
      }
      default -> throw expected("Expected JSON value, but found \"" + lex.tokenText() + "\".");
    }
  }

  private void object(int depth) throws IOException, ManifestParseException {
    events.objectStart();
    lex.next();
    if (lex.type() != Type.OBJECT_END) {
      objectField(depth);
      while (lex.type() == Type.COMMA) {
        lex.next();
        objectField(depth);
      }
      if (lex.type() != Type.OBJECT_END) {
        throw expected("Expected \",\" or \"}\", but found \"" + lex.tokenText() + "\".");
      }
    }
    lex.next();
    events.objectEnd();
  }

  private void objectField(int depth) throws IOException, ManifestParseException {
    if (lex.type() != Type.STRING) {
      throw expected("Expected string, but found \"" + lex.tokenText() + "\".");
    }
    byte[] name = lex.value();
    lex.next();
    if (lex.type() != Type.COLON) {
      throw expected("Expected \":\", but found \"" + lex.tokenText() + "\".");
    }
    lex.next();
    events.fieldStart(new String(name, java.nio.charset.StandardCharsets.UTF_8));
    value(depth + 1);
  }

  private void array(int depth) throws IOException, ManifestParseException {
    events.arrayStart();
    lex.next();
    if (lex.type() != Type.ARRAY_END) {
      value(depth + 1);
      while (lex.type() == Type.COMMA) {
        lex.next();
        value(depth + 1);
      }
      if (lex.type() != Type.ARRAY_END) {
        throw expected("Expected \",\" or \"]\", but found \"" + lex.tokenText() + "\".");
      }
    }
    lex.next();
    events.arrayEnd();
  }

  private ManifestParseException expected(String detail) {
    return lex.type() == Type.END
        ? lex.fail("The input string ended unexpectedly.")
        : lex.fail(detail);
  }
}
