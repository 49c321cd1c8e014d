package io.klio.walstream.protocol;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Messages the server sends, decoded by {@link BackendDecoder}. Each is a small immutable value.
 */
public sealed interface BackendMessage {

  /** 'R': an authentication request or result. */
  sealed interface Authentication extends BackendMessage {}

  record AuthenticationOk() implements Authentication {}

  record AuthenticationCleartextPassword() implements Authentication {}

  /** The 4-byte salt for {@code md5(md5(password + user) + salt)}. */
  record AuthenticationMd5Password(byte[] salt) implements Authentication {}

  record AuthenticationSasl(List<String> mechanisms) implements Authentication {
    public AuthenticationSasl {
      mechanisms = List.copyOf(mechanisms);
    }
  }

  record AuthenticationSaslContinue(byte[] data) implements Authentication {}

  record AuthenticationSaslFinal(byte[] data) implements Authentication {}

  /** An authentication method this client does not implement (Kerberos, GSS, SSPI …). */
  record AuthenticationOther(int code) implements Authentication {}

  /** 'S': a run-time parameter's value. */
  record ParameterStatus(String name, String value) implements BackendMessage {}

  /** 'K': what a cancel request needs. */
  record BackendKeyData(int processId, byte[] secretKey) implements BackendMessage {}

  /** 'Z': ready for a new query; status I (idle), T (in transaction) or E (failed transaction). */
  record ReadyForQuery(char status) implements BackendMessage {}

  /** 'E': an error, with every field by its one-letter code. */
  record ErrorResponse(Map<Character, String> fields) implements BackendMessage {
    public ErrorResponse {
      fields = Map.copyOf(fields);
    }
  }

  /** 'N': a notice (warning, info), fields as for errors. */
  record NoticeResponse(Map<Character, String> fields) implements BackendMessage {
    public NoticeResponse {
      fields = Map.copyOf(fields);
    }
  }

  /** 'T': the columns of the rows that follow. */
  record RowDescription(List<Column> columns) implements BackendMessage {
    public RowDescription {
      columns = List.copyOf(columns);
    }
  }

  /** One column of a {@link RowDescription}. */
  record Column(
      String name,
      int tableOid,
      short attribute,
      int typeOid,
      short typeSize,
      int typeModifier,
      short format) {}

  /** 'D': one row; a value is empty for SQL NULL. The bytes are as the server sent them. */
  record DataRow(List<Optional<byte[]>> values) implements BackendMessage {
    public DataRow {
      values = List.copyOf(values);
    }
  }

  /** 'C': a command finished, with its tag ("SELECT 1", "START_REPLICATION" …). */
  record CommandComplete(String tag) implements BackendMessage {}

  /** 'I': the query string was empty. */
  record EmptyQueryResponse() implements BackendMessage {}

  /** 'W': COPY in both directions started (streaming replication). */
  record CopyBothResponse(byte format, List<Short> columnFormats) implements BackendMessage {}

  /** 'H': COPY to the client started. */
  record CopyOutResponse(byte format, List<Short> columnFormats) implements BackendMessage {}

  /** 'G': COPY from the client started. */
  record CopyInResponse(byte format, List<Short> columnFormats) implements BackendMessage {}

  /** 'd': data inside COPY. */
  record CopyData(byte[] data) implements BackendMessage {}

  /** 'c': COPY ended from the server's side. */
  record CopyDone() implements BackendMessage {}

  /** 'v': the server supports an older minor protocol version or not all our options. */
  record NegotiateProtocolVersion(int newestMinor, List<String> unrecognizedOptions)
      implements BackendMessage {}

  /** 'A': a NOTIFY. */
  record NotificationResponse(int processId, String channel, String payload)
      implements BackendMessage {}
}
