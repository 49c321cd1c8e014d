package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TablespaceMapsTest {

  static String remap(String map, Map<String, String> moved) {
    return new String(
        TablespaceMaps.remap(map.getBytes(StandardCharsets.UTF_8), moved), StandardCharsets.UTF_8);
  }

  @Test
  void replacesOnlyTheMovedTablespaces() {
    String map = "16385 /srv/ts one\n16386 /srv/two\n";
    assertThat(remap(map, Map.of())).isEqualTo(map);
    assertThat(remap(map, Map.of("16386", "/new/two")))
        .isEqualTo("16385 /srv/ts one\n16386 /new/two\n");
  }

  @Test
  void escapesAsPostgresDoes() {
    // a directory with a line feed and a backslash, escaped in the map
    String map = "16385 /srv/a\\\nb\\\\c\n16386 /x\n";
    assertThat(remap(map, Map.of("16386", "/y"))).isEqualTo("16385 /srv/a\\\nb\\\\c\n16386 /y\n");
    assertThat(remap(map, Map.of("16385", "/n\\e\rw"))).isEqualTo("16385 /n\\\\e\\\rw\n16386 /x\n");
    assertThat(TablespaceMaps.escape("a\nb")).isEqualTo("a\\\nb");
  }

  @Test
  void refusesWhatIsNotAMap() {
    assertThatThrownBy(() -> remap("x /srv\n", Map.of()))
        .hasMessageContaining("'x /srv'")
        .hasMessageContaining("an oid, a space");
    assertThatThrownBy(() -> remap("16385\n", Map.of())).hasMessageContaining("'16385'");
  }
}
