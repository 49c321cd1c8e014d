package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TablespaceMappingTest {

  @Test
  void parsesAsPgBasebackupDoes() {
    assertThat(TablespaceMapping.parse("/old/ts=/new/ts"))
        .isEqualTo(new TablespaceMapping("/old/ts", "/new/ts"));
    assertThat(TablespaceMapping.parse("/old//ts/=/new/./ts"))
        .isEqualTo(new TablespaceMapping("/old/ts", "/new/ts"));
    assertThat(TablespaceMapping.parse("/a\\=b=/c").oldDirectory()).isEqualTo("/a=b");
  }

  @Test
  void refusesBadMappings() {
    assertThatThrownBy(() -> TablespaceMapping.parse("/a")).hasMessageContaining("OLDDIR=NEWDIR");
    assertThatThrownBy(() -> TablespaceMapping.parse("/a=/b=/c")).hasMessageContaining("multiple");
    assertThatThrownBy(() -> TablespaceMapping.parse("=/b")).hasMessageContaining("OLDDIR=NEWDIR");
    assertThatThrownBy(() -> TablespaceMapping.parse("a=/b"))
        .hasMessageContaining("old directory is not an absolute path");
    assertThatThrownBy(() -> TablespaceMapping.parse("/a=b"))
        .hasMessageContaining("new directory is not an absolute path");
  }
}
