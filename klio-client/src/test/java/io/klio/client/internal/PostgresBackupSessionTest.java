package io.klio.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PostgresBackupSessionTest {

  @Test
  void labelsAreQuotedWhateverStandardConformingStringsIs() {
    assertThat(PostgresBackupSession.literal("klio")).isEqualTo("E'klio'");
    assertThat(PostgresBackupSession.literal("it's a \\ label")).isEqualTo("E'it''s a \\\\ label'");
  }
}
