package io.klio.walstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.walstream.sink.DirectoryWalSink;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalSinkProviderTest {

  @TempDir Path dir;

  @Test
  void opensTheDirectorySinkByName() throws Exception {
    Path wal = dir.resolve("wal");
    try (WalSink sink = WalSinkProvider.open("directory", Map.of("path", wal.toString()))) {
      assertThat(sink).isInstanceOf(DirectoryWalSink.class);
      assertThat(((DirectoryWalSink) sink).directory()).isEqualTo(wal);
    }
    assertThat(wal).isDirectory();
  }

  @Test
  void unknownNamesAndOptionsArePermanentAndNameWhatExists() {
    assertThatThrownBy(() -> WalSinkProvider.open("s3", Map.of()))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("no WAL sink named 's3'; known: directory")
        .hasMessageContaining("META-INF/services/" + WalSinkProvider.class.getName());
    assertThatThrownBy(
            () -> WalSinkProvider.open("directory", Map.of("path", dir.toString(), "pth", "x")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("unknown option 'pth' for the 'directory' WAL sink; it takes [path]");
    assertThatThrownBy(() -> WalSinkProvider.open("directory", Map.of()))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("needs the option 'path'");
  }
}
