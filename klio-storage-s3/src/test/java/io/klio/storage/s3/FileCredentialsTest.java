package io.klio.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class FileCredentialsTest {

  @TempDir Path dir;

  @Test
  void readsKeysAndReadsThemAgainWhenTheFileChanges() throws Exception {
    Path f = dir.resolve("s3");
    Files.writeString(
        f, "# from a Secret\n[default]\naws_access_key_id = AKIA1\naws_secret_access_key = s1\n");
    FileCredentials c = FileCredentials.open(f, "s3://b/", 0);
    assertThat(c.resolveCredentials().accessKeyId()).isEqualTo("AKIA1");

    Files.writeString(
        f, "aws_access_key_id=AKIA2\naws_secret_access_key=s2\naws_session_token=t2\n");
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
    AwsCredentials rotated = c.resolveCredentials();
    assertThat(rotated.accessKeyId()).isEqualTo("AKIA2");
    assertThat(rotated.secretAccessKey()).isEqualTo("s2");
    assertThat(((AwsSessionCredentials) rotated).sessionToken()).isEqualTo("t2");
    assertThat(c.toString()).doesNotContain("s2");
  }

  @Test
  void aMissingOrIncompleteFileFailsWhenTheStoreOpens() throws Exception {
    assertThatThrownBy(() -> FileCredentials.open(dir.resolve("none"), "s3://b/"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("s3://b/")
        .hasMessageContaining("none");
    Path f = dir.resolve("half");
    Files.writeString(f, "aws_access_key_id = AKIA1\n");
    assertThatThrownBy(() -> FileCredentials.open(f, "s3://b/"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("aws_secret_access_key");
  }
}
