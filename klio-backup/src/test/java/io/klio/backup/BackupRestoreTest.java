package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.api.format.Codecs;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.Tablespace;
import io.klio.dedup.chunk.FastCdc;
import io.klio.dedup.repo.ChunkId;
import io.klio.dedup.repo.Sha256ChunkHasher;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Back up a data directory into memory, restore it elsewhere, compare everything. */
class BackupRestoreTest {

  @TempDir Path tmp;

  final MemoryChunkStore store = new MemoryChunkStore();

  FileBackup backup(int workers) throws PermanentException {
    return FileBackup.builder()
        .chunker(new FastCdc(2048, 8192, 32768))
        .hasher(Sha256ChunkHasher.INSTANCE)
        .codec(Codecs.byName("zstd:3"))
        .sinks(store.sinks())
        .workers(workers)
        .batchBytes(64 << 10)
        .batchChunks(7)
        .build();
  }

  RestoreWriter.Builder restore(Path target, List<Tablespace> tablespaces) {
    return RestoreWriter.builder()
        .target(target)
        .tablespaces(tablespaces)
        .hasher(Sha256ChunkHasher.INSTANCE)
        .sources(store.sources())
        .workers(3)
        .readAhead(40_000, 5);
  }

  /** A data directory with a tablespace, big and small and empty files. */
  TestDataDirectory source() {
    TestDataDirectory d = PgDataWalkerTest.everyRule(tmp, 15);
    d.file("base/1/16700", 3 << 20).file("base/1/16701", 1).file("base/1/16702", 70_000);
    d.file("base/1/zero", new byte[200_000], 0640);
    for (int i = 0; i < 300; i++) {
      d.file("base/1/" + (20000 + i), 100 + i * 37);
    }
    d.fileAt(tmp.resolve("ts1/" + d.versionDirectory() + "/1/16800"), d.randomBytes(500_000), 0600);
    d.dir("base/1", 0700);
    return d;
  }

  @Test
  void roundTripWithMappedTablespaces() throws Exception {
    TestDataDirectory d = source();
    PgDataWalker walker = PgDataWalker.open(d.data);
    BackupResult r = backup(2).run(walker);
    List<DataFile> original = PgDataWalkerTest.walk(walker);
    assertThat(r.files()).isEqualTo(PgDataWalkerTest.files(original).size());
    assertThat(r.directories()).isEqualTo(PgDataWalkerTest.directories(original).size());
    assertThat(store.closed.get()).isEqualTo(2);
    assertThat(store.entries).hasSize(original.size());

    Path target = tmp.resolve("restored");
    List<WrittenFile> written = Collections.synchronizedList(new ArrayList<>());
    RestoreWriter w =
        restore(target, walker.tablespaces())
            .tablespaceMappings(
                List.of(
                    TablespaceMapping.parse(tmp.resolve("ts1") + "=" + tmp.resolve("ts1-new")),
                    TablespaceMapping.parse(
                        d.data.resolve("mytbs") + "=" + tmp.resolve("mytbs-new"))))
            .listener(
                new RestoreListener() {
                  @Override
                  public void fileWritten(WrittenFile f) {
                    written.add(f);
                  }
                })
            .build();
    RestoreResult rr = w.run(store.entries.iterator());
    assertThat(rr.files()).isEqualTo(r.files());
    assertThat(rr.bytes()).isEqualTo(r.dataBytes());
    assertThat(Files.readSymbolicLink(target.resolve("pg_tblspc/16385")))
        .isEqualTo(tmp.resolve("ts1-new"));
    assertThat(Files.readSymbolicLink(target.resolve("pg_tblspc/16387")))
        .isEqualTo(tmp.resolve("mytbs-new"));
    assertThat(Files.isDirectory(target.resolve("pg_tblspc/16386"), LinkOption.NOFOLLOW_LINKS))
        .as("an in-place tablespace stays in place")
        .isTrue();
    assertSameTree(original, PgDataWalkerTest.walk(PgDataWalker.open(target)));
    assertThat(Files.exists(target.resolve("postmaster.pid"))).isFalse();
    assertThat(Files.exists(target.resolve("pg_wal/000000010000000000000001"))).isFalse();
    assertThat(Files.exists(tmp.resolve("ts1-new/stray"))).isFalse();
    // the listener heard of every file, with what is on disk
    assertThat(written).hasSize((int) r.files());
    for (WrittenFile f : written) {
      Path p = tmp.resolve("restored").resolve(f.path());
      assertThat(Files.size(p)).isEqualTo(f.size());
    }

    byte[] map =
        ("16385 " + tmp.resolve("ts1") + "\n16387 " + d.data.resolve("mytbs") + "\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(w.writeTablespaceMap(map).orElseThrow().path()).isEqualTo("tablespace_map");
    assertThat(Files.readString(target.resolve("tablespace_map")))
        .isEqualTo(
            "16385 " + tmp.resolve("ts1-new") + "\n16387 " + tmp.resolve("mytbs-new") + "\n");
    WrittenFile label = w.writeBackupLabel("START WAL LOCATION: 0/1\n".getBytes());
    assertThat(label.size()).isEqualTo(24);
    assertThat(Files.getPosixFilePermissions(target.resolve("backup_label")))
        .isEqualTo(Modes.permissions(0600));
    assertThat(written).extracting(WrittenFile::path).contains("backup_label", "tablespace_map");
  }

  @Test
  void roundTripToTheOriginalTablespaceLocation() throws Exception {
    TestDataDirectory d = source();
    PgDataWalker walker = PgDataWalker.open(d.data);
    backup(1).run(walker);
    List<DataFile> original = PgDataWalkerTest.walk(walker);
    List<Tablespace> tablespaces =
        walker.tablespaces().stream().filter(t -> t.getOid() != 16387).toList();
    // the host the backup came from is gone
    deleteTree(tmp.resolve("ts1"));
    Path target = tmp.resolve("restored");
    List<FileEntry> entries =
        store.entries.stream()
            .filter(e -> !e.getPath().toStringUtf8().startsWith("pg_tblspc/16387"))
            .toList();
    restore(target, tablespaces).build().run(entries.iterator());
    assertThat(Files.readSymbolicLink(target.resolve("pg_tblspc/16385")))
        .isEqualTo(tmp.resolve("ts1"));
    List<DataFile> restored = PgDataWalkerTest.walk(PgDataWalker.open(target));
    assertSameTree(
        original.stream().filter(f -> !f.path().startsWith("pg_tblspc/16387")).toList(), restored);
  }

  /** Same paths, kinds, modes, sizes, times and bytes. */
  static void assertSameTree(List<DataFile> expected, List<DataFile> actual) throws Exception {
    assertThat(actual)
        .extracting(DataFile::path)
        .containsExactlyElementsOf(expected.stream().map(DataFile::path).toList());
    for (int i = 0; i < expected.size(); i++) {
      DataFile e = expected.get(i);
      DataFile a = actual.get(i);
      assertThat(a.kind()).as(e.path()).isEqualTo(e.kind());
      assertThat(a.mode()).as(e.path() + " mode").isEqualTo(e.mode());
      assertThat(a.mtimeSeconds()).as(e.path() + " mtime").isEqualTo(e.mtimeSeconds());
      assertThat(a.mtimeNanos()).as(e.path() + " mtime ns").isEqualTo(e.mtimeNanos());
      if (!e.isDirectory()) {
        assertThat(Files.readAllBytes(a.source()))
            .as(e.path())
            .isEqualTo(Files.readAllBytes(e.source()));
      }
    }
  }

  @Test
  void aSecondBackupOfABarelyChangedFileSendsLittle() throws Exception {
    TestDataDirectory d = new TestDataDirectory(tmp.resolve("data"), 15, 9).skeleton();
    d.file("base/1/16384", 8 << 20);
    PgDataWalker walker = PgDataWalker.open(d.data);
    BackupResult first = backup(2).run(walker);
    long firstBytes = store.putBytes.get();
    assertThat(firstBytes).isGreaterThan(8 << 20);
    // change 2% of the file, in one place, as an update of a range of rows does
    Path f = d.data.resolve("base/1/16384");
    byte[] b = Files.readAllBytes(f);
    byte[] changed = d.randomBytes(b.length / 50);
    System.arraycopy(changed, 0, b, 3 << 20, changed.length);
    Files.write(f, b);
    store.newBackup();
    BackupResult second = backup(2).run(walker);
    assertThat(second.dataBytes()).isEqualTo(first.dataBytes());
    assertThat(store.putBytes.get()).isLessThan(firstBytes / 20);
    assertThat(second.newBytes()).isEqualTo(store.putBytes.get());
    assertThat(second.newChunks() + 0.0).isLessThan(second.chunks() * 0.05);
    // and the second backup restores the changed file
    restore(tmp.resolve("r"), List.of()).build().run(store.entries.iterator());
    assertThat(Files.readAllBytes(tmp.resolve("r/base/1/16384"))).isEqualTo(b);
  }

  @Test
  void identicalChunksOfOneBatchAreSentOnce() throws Exception {
    TestDataDirectory d = new TestDataDirectory(tmp.resolve("data"), 15, 9).skeleton();
    d.file("base/1/zeros", new byte[1 << 20], 0600); // FastCDC cuts zeros at max: 32 equal chunks
    PgDataWalker walker = PgDataWalker.open(d.data);
    BackupResult r = backup(1).run(walker);
    assertThat(r.chunks()).isGreaterThanOrEqualTo(32);
    assertThat(store.puts.get()).isEqualTo(store.chunks.size());
  }

  @Test
  void aCorruptedChunkStopsTheRestoreAndNamesIt() throws Exception {
    TestDataDirectory d = new TestDataDirectory(tmp.resolve("data"), 15, 11).skeleton();
    d.file("base/1/a", 50_000).file("base/1/b", 50_000).file("base/1/c", 50_000);
    backup(1).run(PgDataWalker.open(d.data));
    Map<String, FileEntry> byPath = new ConcurrentHashMap<>();
    store.entries.forEach(e -> byPath.put(e.getPath().toStringUtf8(), e));
    FileEntry b = byPath.get("base/1/b");
    ChunkId bad = ChunkId.read(b.getChunkIds().toByteArray(), ChunkId.LENGTH); // b's 2nd chunk
    long offset = Integer.toUnsignedLong(b.getChunkLengths(0));
    MemoryChunkStore.Stored s = store.chunks.get(bad);
    byte[] flipped = s.data().clone();
    flipped[flipped.length / 2] ^= 0x40;
    store.chunks.put(bad, new MemoryChunkStore.Stored(s.codec(), flipped, s.length()));

    List<FileEntry> order = new ArrayList<>();
    store.entries.stream().filter(e -> e.getKindValue() == 2).forEach(order::add);
    order.add(byPath.get("base/1/a"));
    order.add(b);
    order.add(byPath.get("base/1/c"));
    Path target = tmp.resolve("r");
    assertThatThrownBy(() -> restore(target, List.of()).workers(1).build().run(order.iterator()))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("base/1/b")
        .hasMessageContaining("offset " + offset)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("memory:" + bad)
        .hasMessageContaining("restore another backup");
    assertThat(target.resolve("base/1/a")).exists();
    assertThat(target.resolve("base/1/b")).doesNotExist();
    assertThat(target.resolve("base/1/c")).doesNotExist();
  }

  @Test
  void aNonEmptyTargetIsRefusedBeforeAnythingIsWritten() throws Exception {
    TestDataDirectory d = source();
    PgDataWalker walker = PgDataWalker.open(d.data);
    backup(2).run(walker);
    Path target = tmp.resolve("busy");
    Files.createDirectories(target);
    Files.writeString(target.resolve("PG_VERSION"), "15\n");
    RestoreWriter w =
        restore(target, walker.tablespaces())
            .tablespaceMappings(
                List.of(
                    TablespaceMapping.parse(tmp.resolve("ts1") + "=" + tmp.resolve("ts1-new")),
                    TablespaceMapping.parse(d.data.resolve("mytbs") + "=" + tmp.resolve("m2"))))
            .build();
    assertThatThrownBy(() -> w.run(store.entries.iterator()))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining(target + " is not empty")
        .hasMessageContaining("give a new or empty directory");
    try (var l = Files.list(target)) {
      assertThat(l).containsExactly(target.resolve("PG_VERSION"));
    }
    assertThat(tmp.resolve("ts1-new")).doesNotExist();

    // a tablespace directory that is not empty: the target is not even created
    Path target2 = tmp.resolve("new");
    RestoreWriter w2 =
        restore(target2, walker.tablespaces())
            .tablespaceMappings(
                List.of(TablespaceMapping.parse(d.data.resolve("mytbs") + "=" + tmp.resolve("m3"))))
            .build();
    assertThatThrownBy(w2::check)
        .hasMessageContaining("tablespace 16385")
        .hasMessageContaining("--tablespace-mapping " + tmp.resolve("ts1") + "=NEWDIR");
    assertThatThrownBy(() -> w2.run(store.entries.iterator())).hasMessageContaining("16385");
    assertThat(target2).doesNotExist();
  }

  @Test
  void aMappingThatMatchesNothingIsRefused() {
    assertThatThrownBy(
            () ->
                restore(tmp.resolve("r"), List.of())
                    .tablespaceMappings(List.of(TablespaceMapping.parse("/a=/b")))
                    .build())
        .hasMessageContaining("/a matches no tablespace")
        .hasMessageContaining("(none)");
  }

  @Test
  void namesThatLeaveTheTargetAreRefused() throws Exception {
    FileEntry evil =
        FileEntry.newBuilder()
            .setPath(com.google.protobuf.ByteString.copyFromUtf8("base/../../escape"))
            .setKindValue(1)
            .build();
    assertThatThrownBy(
            () -> restore(tmp.resolve("r"), List.of()).build().run(List.of(evil).iterator()))
        .hasMessageContaining("'base/../../escape'")
        .hasMessageContaining("not a relative path inside the data directory");
    assertThat(tmp.resolve("escape")).doesNotExist();
  }

  /** A file that shrinks is recorded as read, one that vanishes is left out, growth is ignored. */
  @Test
  void filesThatChangeWhileReadAreRecordedAsRead() throws Exception {
    TestDataDirectory d = new TestDataDirectory(tmp.resolve("data"), 15, 13).skeleton();
    d.file("base/1/a", 40_000).file("base/1/b", 300_000).file("base/1/c", 10_000);
    d.file("base/1/d", 50_000);
    Path b = d.data.resolve("base/1/b");
    Path dFile = d.data.resolve("base/1/d");
    java.util.concurrent.atomic.AtomicBoolean changed =
        new java.util.concurrent.atomic.AtomicBoolean();
    ChunkSink inner = store.sink();
    ChunkSink meddling =
        new ChunkSink() {
          @Override
          public int[] missing(List<ChunkId> ids) throws java.io.IOException {
            if (changed.compareAndSet(false, true)) { // while the first batch is resolved
              try (var ch =
                  java.nio.channels.FileChannel.open(b, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(123_456);
              }
              Files.delete(d.data.resolve("base/1/c"));
              Files.write(dFile, new byte[7000], java.nio.file.StandardOpenOption.APPEND);
            }
            return inner.missing(ids);
          }

          @Override
          public void put(ChunkId id, int codec, byte[] encoded, int originalLength)
              throws java.io.IOException {
            inner.put(id, codec, encoded, originalLength);
          }

          @Override
          public void file(FileEntry entry) throws java.io.IOException {
            inner.file(entry);
          }

          @Override
          public void close() throws java.io.IOException {
            inner.close();
          }

          @Override
          public void abort(Throwable cause) {
            inner.abort(cause);
          }
        };
    BackupResult r =
        FileBackup.builder()
            .chunker(new FastCdc(2048, 8192, 32768))
            .hasher(Sha256ChunkHasher.INSTANCE)
            .codec(Codecs.byName("zstd:1"))
            .sinks(worker -> meddling)
            .workers(1)
            .batchChunks(1)
            .build()
            .run(PgDataWalker.open(d.data));
    assertThat(changed).isTrue();
    assertThat(entry(store.entries, "base/1/c")).isEmpty();
    assertThat(entry(store.entries, "base/1/b").orElseThrow().getSize()).isEqualTo(123_456);
    long dSize = entry(store.entries, "base/1/d").orElseThrow().getSize();
    assertThat(dSize).isIn(50_000L, 57_000L); // the size found by the walk, before or after
    Path target = tmp.resolve("r");
    restore(target, List.of()).build().run(store.entries.iterator());
    assertThat(Files.readAllBytes(target.resolve("base/1/b"))).isEqualTo(Files.readAllBytes(b));
    assertThat(Files.readAllBytes(target.resolve("base/1/d")))
        .isEqualTo(java.util.Arrays.copyOf(Files.readAllBytes(dFile), (int) dSize));
    assertThat(target.resolve("base/1/c")).doesNotExist();
    // a, b, d, PG_VERSION, pg_control; and c, when the walk found it before it vanished
    assertThat(r.files()).isEqualTo(5);
    assertThat(r.vanished()).isBetween(0L, 1L);
  }

  @Test
  void aSinkThatAnswersNonsenseFailsTheBackup() throws Exception {
    TestDataDirectory d = new TestDataDirectory(tmp.resolve("data"), 15, 12).skeleton();
    ChunkSink liar =
        new ChunkSink() {
          @Override
          public int[] missing(List<ChunkId> ids) {
            return new int[] {ids.size()};
          }

          @Override
          public void put(ChunkId id, int codec, byte[] encoded, int originalLength) {}

          @Override
          public void file(FileEntry entry) {}

          @Override
          public void close() {}

          @Override
          public void abort(Throwable cause) {}
        };
    FileBackup b =
        FileBackup.builder()
            .chunker(new FastCdc(2048, 8192, 32768))
            .hasher(Sha256ChunkHasher.INSTANCE)
            .codec(Codecs.byName("none"))
            .sinks(worker -> liar)
            .workers(1)
            .build();
    assertThatThrownBy(() -> b.run(PgDataWalker.open(d.data)))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("answered position 1 for a query of 1");
  }

  @Test
  void progressAddsUp() throws Exception {
    TestDataDirectory d = source();
    List<BackupProgress> seen = Collections.synchronizedList(new ArrayList<>());
    BackupResult r =
        FileBackup.builder()
            .chunker(new FastCdc(2048, 8192, 32768))
            .hasher(Sha256ChunkHasher.INSTANCE)
            .codec(Codecs.byName("lz4"))
            .sinks(store.sinks())
            .workers(2)
            .listener(seen::add)
            .build()
            .run(PgDataWalker.open(d.data));
    BackupProgress last = seen.get(seen.size() - 1);
    assertThat(last.bytesRead()).isEqualTo(last.bytesTotal()).isEqualTo(r.dataBytes());
    assertThat(last.filesDone()).isEqualTo(last.filesTotal()).isEqualTo(r.files());
    assertThat(last.chunksNew() + last.chunksKnown()).isEqualTo(r.chunks());
    assertThat(last.bytesSent()).isEqualTo(r.sentBytes()).isLessThan(r.newBytes());
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).bytesRead()).isGreaterThanOrEqualTo(seen.get(i - 1).bytesRead());
    }
  }

  static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    PosixFileAttributes a =
        Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isDirectory()) {
      try (var l = Files.list(p)) {
        for (Path c : l.toList()) {
          deleteTree(c);
        }
      }
    }
    Files.delete(p);
  }

  static Optional<FileEntry> entry(List<FileEntry> l, String path) {
    return l.stream().filter(e -> e.getPath().toStringUtf8().equals(path)).findFirst();
  }
}
