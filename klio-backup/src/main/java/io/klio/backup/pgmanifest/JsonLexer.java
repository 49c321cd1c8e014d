package io.klio.backup.pgmanifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The tokens of a JSON document, as PostgreSQL's lexer ({@code src/common/jsonapi.c}) reads them
 * for a manifest: whitespace is space, tab, CR and LF; strings are decoded to bytes (escapes
 * resolved, surrogate pairs combined, {@code \u0000} refused, control bytes refused, other bytes
 * taken as they are, without UTF-8 validation); numbers follow the JSON grammar; a number or a word
 * followed by letters, digits, {@code _} or a byte above 0x7F is one invalid token.
 *
 * <p>Every byte read from the stream is also given to the {@link ManifestDigest}.
 */
final class JsonLexer {

  enum Type {
    OBJECT_START,
    OBJECT_END,
    ARRAY_START,
    ARRAY_END,
    COMMA,
    COLON,
    STRING,
    NUMBER,
    TRUE,
    FALSE,
    NULL,
    END
  }

  /** Longer tokens are refused; no sane manifest field comes close (paths are under 1 KiB). */
  static final int MAX_TOKEN = 1 << 20;

  private final InputStream in;
  private final ManifestDigest digest;
  private final byte[] buf = new byte[ChecksumCalculator.READ_CHUNK];
  private int pos;
  private int limit;
  private boolean eof;
  private int line = 1;

  private Type type;
  private final ByteSink value = new ByteSink();

  JsonLexer(InputStream in, ManifestDigest digest) {
    this.in = in;
    this.digest = digest;
  }

  Type type() {
    return type;
  }

  /** The decoded bytes of a string, or the lexeme of a number, true, false or null. */
  byte[] value() {
    return value.toByteArray();
  }

  int line() {
    return line;
  }

  /** Reads the next token. */
  Type next() throws IOException, ManifestParseException {
    value.reset();
    int c = read();
    while (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      c = read();
    }
    switch (c) {
      case -1 -> type = Type.END;
      case '{' -> type = Type.OBJECT_START;
      case '}' -> type = Type.OBJECT_END;
      case '[' -> type = Type.ARRAY_START;
      case ']' -> type = Type.ARRAY_END;
      case ',' -> type = Type.COMMA;
      case ':' -> type = Type.COLON;
      case '"' -> {
        string();
        type = Type.STRING;
      }
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number(c);
          type = Type.NUMBER;
        } else {
          word(c);
        }
      }
    }
    return type;
  }

  /** The current token as pg's error messages show it. */
  String tokenText() {
    return switch (type) {
      case OBJECT_START -> "{";
      case OBJECT_END -> "}";
      case ARRAY_START -> "[";
      case ARRAY_END -> "]";
      case COMMA -> ",";
      case COLON -> ":";
      case STRING -> '"' + new String(value.toByteArray(), StandardCharsets.UTF_8) + '"';
      case END -> "";
      default -> new String(value.toByteArray(), StandardCharsets.UTF_8);
    };
  }

  private void string() throws IOException, ManifestParseException {
    int hiSurrogate = -1;
    while (true) {
      int c = read();
      if (c == -1) {
        throw invalidToken();
      }
      if (c == '"') {
        break;
      }
      if (c == '\\') {
        int e = read();
        if (e == -1) {
          throw invalidToken();
        }
        if (e == 'u') {
          int ch = 0;
          for (int i = 0; i < 4; i++) {
            int d = read();
            if (d == -1) {
              throw invalidToken();
            }
            int h = Hex.digit(d);
            if (h < 0) {
              throw fail("\"\\u\" must be followed by four hexadecimal digits.");
            }
            ch = ch * 16 + h;
          }
          if (ch >= 0xD800 && ch <= 0xDBFF) {
            if (hiSurrogate != -1) {
              throw fail("Unicode high surrogate must not follow a high surrogate.");
            }
            hiSurrogate = ch;
            continue;
          } else if (ch >= 0xDC00 && ch <= 0xDFFF) {
            if (hiSurrogate == -1) {
              throw fail("Unicode low surrogate must follow a high surrogate.");
            }
            ch = 0x10000 + ((hiSurrogate - 0xD800) << 10) + (ch - 0xDC00);
            hiSurrogate = -1;
          }
          if (hiSurrogate != -1) {
            throw fail("Unicode low surrogate must follow a high surrogate.");
          }
          if (ch == 0) {
            throw fail("\\u0000 cannot be converted to text.");
          }
          putUtf8(ch);
        } else {
          if (hiSurrogate != -1) {
            throw fail("Unicode low surrogate must follow a high surrogate.");
          }
          switch (e) {
            case '"', '\\', '/' -> put(e);
            case 'b' -> put('\b');
            case 'f' -> put('\f');
            case 'n' -> put('\n');
            case 'r' -> put('\r');
            case 't' -> put('\t');
            default ->
                throw fail(
                    "Escape sequence \"\\"
                        + new String(new byte[] {(byte) e}, StandardCharsets.ISO_8859_1)
                        + "\" is invalid.");
          }
        }
      } else {
        if (hiSurrogate != -1) {
          throw fail("Unicode low surrogate must follow a high surrogate.");
        }
        if (c <= 31) {
          throw fail(String.format("Character with value 0x%02x must be escaped.", c));
        }
        put(c);
      }
    }
    if (hiSurrogate != -1) {
      throw fail("Unicode low surrogate must follow a high surrogate.");
    }
  }

  private void number(int first) throws IOException, ManifestParseException {
    boolean error = false;
    put(first);
    int c = first == '-' ? peek() : first;
    if (first == '-') {
      if (c >= '0' && c <= '9') {
        put(read());
      } else {
        error = true;
      }
    }
    if (!error && c != '0') {
      while (isDigit(peek())) {
        put(read());
      }
    }
    if (peek() == '.') {
      put(read());
      if (!isDigit(peek())) {
        error = true;
      }
      while (isDigit(peek())) {
        put(read());
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      put(read());
      if (peek() == '+' || peek() == '-') {
        put(read());
      }
      if (!isDigit(peek())) {
        error = true;
      }
      while (isDigit(peek())) {
        put(read());
      }
    }
    while (isAlphanumeric(peek())) {
      put(read());
      error = true;
    }
    if (error) {
      throw invalidToken();
    }
  }

  private void word(int first) throws IOException, ManifestParseException {
    if (!isAlphanumeric(first)) {
      put(first);
      throw invalidToken();
    }
    put(first);
    while (isAlphanumeric(peek())) {
      put(read());
    }
    String w = new String(value.toByteArray(), StandardCharsets.ISO_8859_1);
    type =
        switch (w) {
          case "true" -> Type.TRUE;
          case "false" -> Type.FALSE;
          case "null" -> Type.NULL;
          default -> throw invalidToken();
        };
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlphanumeric(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c >= 0x80;
  }

  private void putUtf8(int cp) throws ManifestParseException {
    if (cp < 0x80) {
      put(cp);
    } else if (cp < 0x800) {
      put(0xC0 | cp >> 6);
      put(0x80 | cp & 0x3F);
    } else if (cp < 0x10000) {
      put(0xE0 | cp >> 12);
      put(0x80 | cp >> 6 & 0x3F);
      put(0x80 | cp & 0x3F);
    } else {
      put(0xF0 | cp >> 18);
      put(0x80 | cp >> 12 & 0x3F);
      put(0x80 | cp >> 6 & 0x3F);
      put(0x80 | cp & 0x3F);
    }
  }

  private void put(int b) throws ManifestParseException {
    if (value.length() >= MAX_TOKEN) {
      throw fail("a token is longer than " + MAX_TOKEN + " bytes.");
    }
    value.put((byte) b);
  }

  private ManifestParseException invalidToken() {
    return fail(
        "Token \"" + new String(value.toByteArray(), StandardCharsets.UTF_8) + "\" is invalid.");
  }

  ManifestParseException fail(String detail) {
    return new ManifestParseException(
        "could not parse backup manifest: " + detail + " (line " + line + ")");
  }

  private int peek() throws IOException {
    if (pos == limit && !fill()) {
      return -1;
    }
    return buf[pos] & 0xFF;
  }

  private int read() throws IOException {
    if (pos == limit && !fill()) {
      return -1;
    }
    int c = buf[pos++] & 0xFF;
    if (c == '\n') {
      line++;
    }
    return c;
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    int n = in.read(buf, 0, buf.length);
    while (n == 0) {
      n = in.read(buf, 0, buf.length);
    }
    if (n < 0) {
      eof = true;
      return false;
    }
    digest.update(buf, 0, n);
    pos = 0;
    limit = n;
    return true;
  }

  /** Reads (and digests) what is left of the stream, so the digest sees every byte. */
  void drain() throws IOException {
    while (fill()) {
      pos = limit;
    }
  }
}
