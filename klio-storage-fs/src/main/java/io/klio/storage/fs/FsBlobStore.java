package io.klio.storage.fs;

import io.klio.api.error.PermanentException;
import io.klio.api.io.DurableFiles;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobPage;
import io.klio.storage.BlobRanges;
import io.klio.storage.BlobStore;
import io.klio.storage.ConditionalPut;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link BlobStore} on a directory. Thread-safe; several processes may share one root.
 *
 * <p>A put writes {@code ~tmp-<random>} next to the target (the {@code ~} cannot occur in a key, so
 * temporary files never show in listings), fsyncs it, renames it over the target and fsyncs the
 * directory ({@link DurableFiles#move}); a put-if-absent links it to the target instead, so that it
 * fails when the target exists. A crash leaves at most a temporary file behind, never a torn
 * object. The temporary file is written here rather than by {@link DurableFiles#write}: its name
 * must not be a possible key nor grow with the key's last segment (which may be 255 characters),
 * and put-if-absent needs it as a file to link, not renamed.
 */
final class FsBlobStore implements BlobStore, ConditionalPut {

  static final String TEMP_MARKER = "~tmp-";
  private static final int BUFFER = 1 << 20;

  private final Path root;

  private FsBlobStore(Path root) {
    this.root = root;
  }

  static FsBlobStore open(Path root) throws IOException {
    try {
      DurableFiles.createDirectories(root);
    } catch (IOException e) {
      throw Fs.classify(e, "create storage root " + root, null);
    }
    return new FsBlobStore(root);
  }

  @Override
  public BlobInfo put(BlobKey key, InputStream content) throws IOException {
    Path target = path(key);
    Path temp = writeTemp(key, target, content);
    try {
      DurableFiles.move(temp, target);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      if (Files.isDirectory(target)) {
        throw directoryConflict(key);
      }
      throw Fs.classify(e, "store object '" + key + "'", key);
    }
    return info(key, target);
  }

  @Override
  public boolean putIfAbsent(BlobKey key, InputStream content) throws IOException {
    Path target = path(key);
    if (Files.exists(target)) {
      content.transferTo(java.io.OutputStream.nullOutputStream());
      return false;
    }
    Path temp = writeTemp(key, target, content);
    try {
      Files.createLink(target, temp);
      DurableFiles.fsyncDirectory(target.getParent());
      return true;
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(target)) {
        throw directoryConflict(key);
      }
      return false;
    } catch (IOException e) {
      throw Fs.classify(e, "store object '" + key + "'", key);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private Path writeTemp(BlobKey key, Path target, InputStream content) throws IOException {
    Path dir = target.getParent();
    try {
      DurableFiles.createDirectories(dir);
    } catch (IOException e) {
      if (Fs.isFileOnPath(root, dir)) {
        throw new PermanentException(
            "cannot store '" + key + "' in " + describe() + ": a part of its path is an object");
      }
      throw Fs.classify(e, "create the directory for '" + key + "'", key);
    }
    // not derived from the key's name, so a key segment of the maximum length still fits
    Path temp = dir.resolve(TEMP_MARKER + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    boolean done = false;
    try (FileChannel out =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = content.read(buf)) >= 0; ) {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        while (bb.hasRemaining()) {
          out.write(bb);
        }
      }
      out.force(true);
      done = true;
    } catch (IOException e) {
      throw Fs.classify(e, "write object '" + key + "'", key);
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
    return temp;
  }

  @Override
  public InputStream get(BlobKey key) throws IOException {
    return open(key, 0, Long.MAX_VALUE);
  }

  @Override
  public InputStream get(BlobKey key, long offset, long length) throws IOException {
    BlobRanges.checkArguments(key, offset, length);
    return open(key, offset, length);
  }

  private InputStream open(BlobKey key, long offset, long length) throws IOException {
    Path p = path(key);
    FileChannel ch;
    try {
      ch = FileChannel.open(p, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(key, describe());
    } catch (IOException e) {
      if (Files.isDirectory(p)) {
        throw new BlobNotFoundException(key, describe());
      }
      throw Fs.classify(e, "read object '" + key + "'", key);
    }
    try {
      long size = ch.size();
      BlobRanges.checkOffset(key, offset, size, describe());
      ch.position(offset);
      return new BoundedInputStream(Channels.newInputStream(ch), Math.min(length, size - offset));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public Optional<BlobInfo> stat(BlobKey key) throws IOException {
    Path p = path(key);
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        return Optional.empty();
      }
      return Optional.of(new BlobInfo(key, a.size(), a.lastModifiedTime().toInstant()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw Fs.classify(e, "stat object '" + key + "'", key);
    }
  }

  @Override
  public BlobPage list(String prefix, Optional<BlobKey> startAfter, int maxKeys)
      throws IOException {
    BlobKey.checkPrefix(prefix);
    BlobPage.checkMaxKeys(maxKeys);
    try {
      return new FsListing(root, prefix, startAfter.map(BlobKey::value).orElse(""), maxKeys).run();
    } catch (IOException e) {
      throw Fs.classify(e, "list '" + prefix + "' in " + describe(), null);
    }
  }

  @Override
  public void delete(BlobKey key) throws IOException {
    Path p = path(key);
    try {
      if (Files.isRegularFile(p) && Files.deleteIfExists(p)) {
        DurableFiles.fsyncDirectory(p.getParent());
      }
    } catch (NoSuchFileException e) {
      // deleted concurrently: the result is the same
    } catch (IOException e) {
      throw Fs.classify(e, "delete object '" + key + "'", key);
    }
  }

  @Override
  public String describe() {
    return root.toUri().toString();
  }

  @Override
  public void close() {
    // nothing held open between calls
  }

  private Path path(BlobKey key) {
    return root.resolve(key.value());
  }

  private BlobInfo info(BlobKey key, Path p) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
    return new BlobInfo(key, a.size(), a.lastModifiedTime().toInstant());
  }

  private PermanentException directoryConflict(BlobKey key) {
    return new PermanentException(
        "cannot store '"
            + key
            + "' in "
            + describe()
            + ": other objects have keys that start with '"
            + key
            + "/'");
  }
}
