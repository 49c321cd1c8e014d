package io.klio.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.process.ChildJvm;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process with SIGKILL at random moments: afterwards every object is whole, and
 * every put the writer saw return is there.
 */
class FsBlobStoreCrashIT {

  @TempDir Path dir;

  @Test
  void killedWriterNeverLeavesATornObject() throws Exception {
    Random random = new Random();
    Set<BlobKey> acknowledged = new HashSet<>();
    int puts = 0; // acknowledged puts: keys repeat (some puts overwrite), so count them apart
    for (int round = 0; round < 8; round++) {
      try (ChildJvm writer =
          ChildJvm.start(
              CrashingWriter.class, 128, dir.toUri().toString(), Integer.toString(round))) {
        // wait until it has stored a few objects, then kill it at a random moment
        int target = 3 + random.nextInt(20);
        for (int stored = 0; stored < target; stored++) {
          String line = writer.readLine();
          assertThat(line).as("writer output (did it die early?)").isNotNull();
          acknowledged.add(BlobKey.of(line.substring("stored ".length())));
          puts++;
        }
        Thread.sleep(random.nextInt(50));
        writer.kill9();
        for (String line : writer.remainingLines()) {
          acknowledged.add(BlobKey.of(line.substring("stored ".length())));
          puts++;
        }
      }
    }

    List<String> problems = new ArrayList<>();
    Set<BlobKey> present = new HashSet<>();
    try (BlobStore store = BlobStores.open(dir.toUri().toString())) {
      List<BlobInfo> all = new ArrayList<>();
      store.forEach("", all::add);
      for (BlobInfo info : all) {
        present.add(info.key());
        try (InputStream in = store.get(info.key())) {
          String problem = CrashingWriter.check(in.readAllBytes());
          if (problem != null) {
            problems.add(info.key() + ": " + problem);
          }
        }
      }
    }
    assertThat(problems).as("torn objects").isEmpty();
    assertThat(present).as("acknowledged puts").containsAll(acknowledged);
    assertThat(puts).as("acknowledged puts (at least 3 a round)").isGreaterThanOrEqualTo(24);
    assertThat(acknowledged).isNotEmpty();
  }
}
