package io.klio.server.prefetch;

import io.klio.api.io.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The spool directory of one restore: complete prefetched segments under their WAL file names (the
 * only files the restore command takes), and the prefetcher's own files, whose names never look
 * like a WAL file:
 *
 * <ul>
 *   <li>{@code <segment>}: a complete archived segment, written to a temporary name ({@code
 *       .<segment>.tmp-…}, see {@link DurableFiles}), fsynced and renamed, so a reader sees the
 *       whole file or none;
 *   <li>{@code prefetch.lock}: locked by the running prefetcher for its whole life (its process id
 *       inside); {@code spawn.lock}: held by a get-wal while it starts one;
 *   <li>{@code requested}: the last segment get-wal was asked for that was not spooled, written by
 *       get-wal (temporary name, then rename) and read by the prefetcher;
 *   <li>{@code prefetch.log}: the prefetcher's log (the previous one in {@code prefetch.log.1});
 *   <li>{@code ask.<id>}: a WAL file name the restore command asks the running prefetcher for
 *       (written as {@code .ask.<id>}, then renamed; {@code <id>} is the asking shell's process
 *       id); the prefetcher answers in {@code answer.<id>} with one word: {@code spooled} (the
 *       segment is in the spool under its name), {@code file} (the file, such as a history file, is
 *       in {@code reply.<id>}), {@code missing} (not in the archive: the restore command exits 1)
 *       or {@code defer} (anything else: the restore command runs get-wal, whose answer and exit
 *       status are the rule). The {@code klio} launcher is the other side (docs/cli.md).
 * </ul>
 *
 * Stateless apart from the path; thread-safe.
 */
public final class Spool {

  private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");
  private static final Pattern SEGMENT_TEMPORARY = Pattern.compile("\\.[0-9A-F]{24}\\.tmp-.*");
  private static final Pattern ASK = Pattern.compile("ask\\.([0-9]{1,10})");
  private static final Pattern EXCHANGE =
      Pattern.compile("\\.?(ask|answer|reply)\\.[0-9]{1,10}(\\.tmp-.*)?");

  private final Path dir;

  public Spool(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  Path lockFile() {
    return dir.resolve("prefetch.lock");
  }

  Path spawnLockFile() {
    return dir.resolve("spawn.lock");
  }

  Path requestFile() {
    return dir.resolve("requested");
  }

  /** The prefetcher's log: its stderr. */
  public Path logFile() {
    return dir.resolve("prefetch.log");
  }

  /** Where a spooled {@code name} is (whether or not it is there). */
  public Path file(String name) {
    return dir.resolve(name);
  }

  /** The id of an ask file's name ({@code ask.<id>}), if it is one. */
  static Optional<String> askId(String name) {
    java.util.regex.Matcher m = ASK.matcher(name);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** An ask, answer or reply file, or a temporary file of one. */
  static boolean isExchange(String name) {
    return EXCHANGE.matcher(name).matches();
  }

  Path askFile(String id) {
    return dir.resolve("ask." + id);
  }

  Path answerFile(String id) {
    return dir.resolve("answer." + id);
  }

  Path replyFile(String id) {
    return dir.resolve("reply." + id);
  }

  static boolean isSegmentName(String name) {
    return SEGMENT.matcher(name).matches();
  }

  /** A temporary file of a segment being written (by this or a killed prefetcher). */
  static boolean isSegmentTemporary(String name) {
    return SEGMENT_TEMPORARY.matcher(name).matches();
  }

  /** The names of the files in the spool; none when it does not exist. */
  List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    } catch (NoSuchFileException gone) {
      // nothing spooled
    }
    return names;
  }

  /**
   * Records that PostgreSQL asked get-wal for {@code segment} (found in the archive or not), so
   * that the prefetcher moves its window there. Each call writes a different content (the process
   * id and a clock), so that the same segment asked again still reads as a new request.
   */
  public void recordRequest(String segment, boolean found) throws IOException {
    String content =
        segment
            + " "
            + (found ? "found" : "missing")
            + " "
            + ProcessHandle.current().pid()
            + " "
            + System.nanoTime()
            + "\n";
    DurableFiles.write(requestFile(), content.getBytes(StandardCharsets.US_ASCII));
  }

  /** The last request ({@link #recordRequest}) as written, if any. */
  Optional<Request> lastRequest() throws IOException {
    String content;
    try {
      content = Files.readString(requestFile(), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException none) {
      return Optional.empty();
    }
    String[] f = content.strip().split(" ");
    if (f.length < 2 || !isSegmentName(f[0])) {
      return Optional.empty(); // not ours: ignored
    }
    return Optional.of(new Request(content, f[0], f[1].equals("found")));
  }

  /**
   * A request as {@link #recordRequest} wrote it.
   *
   * @param raw the whole content (which tells two requests of one segment apart)
   * @param found whether get-wal found it in the archive (then the segment after it is wanted next)
   */
  record Request(String raw, String segment, boolean found) {}
}
