package io.klio.walstream;

import io.klio.walstream.protocol.BackendMessage.Column;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The result of one statement run with the simple query protocol (text format). */
public record QueryResult(
    List<Column> columns, List<List<Optional<byte[]>>> rows, String commandTag) {

  public QueryResult {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }

  /** A value as text; empty for SQL NULL. */
  public Optional<String> text(int row, int column) {
    return rows.get(row).get(column).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /** A value as text by column name; empty for SQL NULL. */
  public Optional<String> text(int row, String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return text(row, i);
      }
    }
    throw new IllegalArgumentException("no column \"" + column + "\" in the result");
  }

  /** A value's raw bytes; empty for SQL NULL. */
  public Optional<byte[]> bytes(int row, int column) {
    return rows.get(row).get(column);
  }
}
