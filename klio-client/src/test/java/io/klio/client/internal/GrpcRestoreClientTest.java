package io.klio.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.ChunkHasher;
import io.klio.api.Lsn;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.ArchiveInfo;
import io.klio.backup.recovery.BackupSelection;
import io.klio.client.RestoreRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The restore client's pure pieces: the chunk id hasher, the archive's reach, the request. */
class GrpcRestoreClientTest {

  @Test
  void theHasherFollowsTheBackupsAlgorithmAndTheServersKey() throws Exception {
    byte[] data = "chunk".getBytes(StandardCharsets.UTF_8);
    byte[] key = new byte[32];
    key[0] = 7;
    assertThat(GrpcRestoreClient.hasher("sha256", new byte[0], "b").hash(data, 0, data.length))
        .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(GrpcRestoreClient.hasher("hmac-sha256", key, "b").hash(data, 0, data.length))
        .isEqualTo(ChunkHasher.hmacSha256(key).hash(data, 0, data.length));
    assertThatThrownBy(() -> GrpcRestoreClient.hasher("hmac-sha256", new byte[0], "B1"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("backup B1")
        .hasMessageContaining("sent no key");
    assertThatThrownBy(() -> GrpcRestoreClient.hasher("blake3", new byte[0], "B1"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("'blake3'");
  }

  @Test
  void theReachIsWhatGetInfoSays() {
    assertThat(GrpcRestoreClient.reach(ArchiveInfo.getDefaultInstance())).isEmpty();
    assertThat(GrpcRestoreClient.reach(ArchiveInfo.newBuilder().setNewestLsn(0x3000000).build()))
        .contains(new BackupSelection.ArchiveReach(Lsn.of(0x3000000), Optional.empty()));
    assertThat(
            GrpcRestoreClient.reach(
                ArchiveInfo.newBuilder().setNewestLsn(0x3000000).setNewestTimeMs(1000).build()))
        .contains(new BackupSelection.ArchiveReach(Lsn.of(0x3000000), Instant.ofEpochMilli(1000)));
  }

  @Test
  void aRequestNeedsARestoreCommandWithBothEscapes() {
    assertThat(RestoreRequest.builder(Path.of("/d"), "get %f %p").jobs(3).build().jobs())
        .isEqualTo(3);
    assertThatThrownBy(() -> RestoreRequest.builder(Path.of("/d"), "get %f").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("%f and %p");
    assertThatThrownBy(() -> RestoreRequest.builder(Path.of("/d"), "get %f %p").jobs(0).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
