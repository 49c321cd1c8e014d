package io.klio.dedup.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks a client encoded before uploading ({@link ChunkWriter#putEncoded}), their stored form as a
 * restore reads it ({@link ChunkRepository#readStored}), and the sessions a crashed server left
 * ({@link ChunkRepository#endSessionsBefore}).
 */
class EncodedUploadTest {

  @TempDir Path dir;
  BlobStore store;
  ChunkRepository repo;

  @BeforeEach
  void open() throws IOException {
    store = BlobStores.open(dir.toUri().toString());
    repo = Files.newRepo(store);
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private ChunkId idOf(byte[] b) {
    return ChunkId.of(repo.hasher().hash(b, 0, b.length));
  }

  @Test
  void anEncodedChunkIsStoredAsSentAndReadBackStored() throws IOException {
    byte[] chunk = Files.file(3, 20_000);
    Codec zstd = Codecs.byName("zstd:3");
    byte[] encoded = zstd.encode(chunk, 0, chunk.length);
    ChunkId id = idOf(chunk);
    try (ChunkWriter w = repo.newWriter()) {
      w.putEncoded(id, zstd.id(), encoded, 0, encoded.length, chunk.length);
      assertThat(w.missing(List.of(id))).isEmpty();
      w.putEncoded(id, zstd.id(), encoded, 0, encoded.length, chunk.length); // known: no-op
      assertThat(w.stats().newChunks()).isEqualTo(1);
      assertThat(w.stats().knownChunks()).isEqualTo(1);
    }
    repo.refresh();
    assertThat(repo.read(id)).isEqualTo(chunk);
    ChunkRepository.StoredChunk s = repo.readStored(id);
    assertThat(s.codec()).isEqualTo(zstd.id());
    assertThat(s.encoded()).isEqualTo(encoded);
    assertThat(s.length()).isEqualTo(chunk.length);
    assertThat(s.location()).startsWith("packs/").contains(" offset ");
    assertThat(repo.verify(Verifier.Progress.NONE).ok()).isTrue();
  }

  @Test
  void bytesThatDoNotHaveTheirIdAreRefusedAndNothingIsStored() throws IOException {
    byte[] chunk = Files.file(4, 10_000);
    byte[] other = Files.file(5, 10_000);
    try (ChunkWriter w = repo.newWriter()) {
      assertThatThrownBy(() -> w.putEncoded(idOf(chunk), 0, other, 0, other.length, other.length))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("chunk sent as " + idOf(chunk))
          .hasMessageContaining("not stored");
      byte[] zstd = Codecs.byName("zstd").encode(chunk, 0, chunk.length);
      assertThatThrownBy(() -> w.putEncoded(idOf(chunk), 1, zstd, 0, zstd.length, chunk.length + 1))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("not stored");
      byte[] torn = Arrays.copyOf(zstd, zstd.length / 2);
      assertThatThrownBy(() -> w.putEncoded(idOf(chunk), 1, torn, 0, torn.length, chunk.length))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining(idOf(chunk).toString());
      assertThatThrownBy(() -> w.putEncoded(idOf(chunk), 99, chunk, 0, chunk.length, chunk.length))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("99");
      assertThat(w.missing(List.of(idOf(chunk)))).hasSize(1);
      assertThat(w.stats().newChunks()).isZero();
    }
    repo.refresh();
    assertThatThrownBy(() -> repo.readStored(idOf(chunk))).isInstanceOf(NotFoundException.class);
  }

  @Test
  void sessionsOfADeadServerAreEndedAndTheirPacksIndexedAtOnce() throws IOException {
    ChunkWriter crashed = repo.newWriter();
    List<ChunkId> ids = Files.store(crashed, repo, Files.file(9, 3 << 20)); // packs, no index
    assertThat(crashed.stats().packs()).isPositive();
    BlobKey session = BlobKey.of("sessions/" + crashed.session());
    // the server restarts a little later: its start time is after the session's last heartbeat
    java.nio.file.Files.setLastModifiedTime(
        dir.resolve(session.value()), FileTime.from(Instant.now().minus(Duration.ofSeconds(5))));
    ChunkWriter alive = repo.newWriter(); // a session of the new life: must be left alone
    Instant started = Instant.now().minus(Duration.ofSeconds(1));

    assertThat(repo.endSessionsBefore(started)).isEqualTo(1);

    assertThat(store.stat(session)).isEmpty();
    assertThat(store.stat(BlobKey.of("sessions/" + alive.session()))).isPresent();
    ChunkRepository fresh = ChunkRepository.open(store, "");
    long found = ids.stream().filter(id -> fresh.missing(List.of(id)).isEmpty()).count();
    assertThat(found).as("chunks of the packs the dead session stored").isPositive();
    assertThat(fresh.verify(Verifier.Progress.NONE).problems()).isEmpty();
    assertThat(repo.endSessionsBefore(started)).isZero();
    alive.close();
  }
}
