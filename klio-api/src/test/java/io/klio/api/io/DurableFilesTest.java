package io.klio.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

  @TempDir Path dir;

  @Test
  void writeReplacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("f");
    DurableFiles.write(target, "one".getBytes(StandardCharsets.UTF_8));
    DurableFiles.write(target, "two".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.readString(target)).isEqualTo("two");
    assertThat(names()).containsExactly("f");
  }

  @Test
  void aFailingWriterLeavesTheOldContentAndNoTemporaryFile() throws IOException {
    Path target = dir.resolve("f");
    DurableFiles.write(target, "old".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(
            () ->
                DurableFiles.write(
                    target,
                    ch -> {
                      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
                      throw new IOException("disk on fire");
                    }))
        .hasMessage("disk on fire");
    assertThat(Files.readString(target)).isEqualTo("old");
    assertThat(names()).containsExactly("f");
  }

  @Test
  void moveRenamesAcrossDirectories() throws IOException {
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    Files.writeString(a.resolve("x"), "x");
    Files.writeString(b.resolve("y"), "old");
    DurableFiles.move(a.resolve("x"), b.resolve("y"));
    assertThat(a.resolve("x")).doesNotExist();
    assertThat(Files.readString(b.resolve("y"))).isEqualTo("x");
  }

  @Test
  void createDirectoriesMakesParentsAndRefusesAFileOnThePath() throws IOException {
    DurableFiles.createDirectories(dir.resolve("p/q/r"));
    assertThat(dir.resolve("p/q/r")).isDirectory();
    DurableFiles.createDirectories(dir.resolve("p/q/r")); // again: nothing to do
    Files.writeString(dir.resolve("p/file"), "");
    assertThatThrownBy(() -> DurableFiles.createDirectories(dir.resolve("p/file/s")))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  private java.util.List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
