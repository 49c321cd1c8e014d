package io.klio.dedup.repo;

import io.klio.api.ChunkSealer;
import io.klio.api.error.PermanentException;
import io.klio.storage.BlobKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The pack file layout (docs/format.md, "Packs"): a 32-byte header, the sealed chunk records one
 * after another, the sealed pack index, and a 12-byte footer that gives the index's length.
 */
final class PackFormat {

  static final byte[] MAGIC = "KLIOPACK".getBytes(StandardCharsets.US_ASCII);
  static final byte[] END = "KLIOPEND".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int HEADER = 32;
  static final int FOOTER = 12;
  static final int ENTRY = 44;
  static final HexFormat HEX = HexFormat.of();

  private PackFormat() {}

  /** {@code packs/<first two hex digits>/<32 hex digits>} under the repository prefix. */
  static BlobKey key(String prefix, String packHex) {
    return BlobKey.of(prefix + "packs/" + packHex.substring(0, 2) + "/" + packHex);
  }

  /** The pack id of a key made by {@link #key}. */
  static String packHex(BlobKey key) {
    return key.name();
  }

  static boolean isPackName(String name) {
    return name.length() == 32 && name.chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  static byte[] indexAad(String packHex) {
    return ("klio-pack-index:" + packHex).getBytes(StandardCharsets.US_ASCII);
  }

  static void writeHeader(ByteBuffer32 out, UUID session) {
    out.write(MAGIC);
    out.writeShort(VERSION);
    out.writeShort(0);
    out.writeInt(0);
    out.writeInt((int) (session.getMostSignificantBits() >>> 32));
    out.writeInt((int) session.getMostSignificantBits());
    out.writeInt((int) (session.getLeastSignificantBits() >>> 32));
    out.writeInt((int) session.getLeastSignificantBits());
  }

  /** The writer session named in a pack's header. */
  static UUID readHeader(BlobKey key, byte[] header) throws PermanentException {
    if (header.length < HEADER || !Arrays.equals(header, 0, 8, MAGIC, 0, 8)) {
      throw new PermanentException(key + ": not a Klio pack (bad magic)");
    }
    int version = Bytes.getShort(header, 8);
    if (version != VERSION) {
      throw new PermanentException(
          key + ": pack format version " + version + " is not supported (this Klio reads 1)");
    }
    long hi = ((long) Bytes.getInt(header, 16) << 32) | (Bytes.getInt(header, 20) & 0xFFFFFFFFL);
    long lo = ((long) Bytes.getInt(header, 24) << 32) | (Bytes.getInt(header, 28) & 0xFFFFFFFFL);
    return new UUID(hi, lo);
  }

  /** Appends the sealed pack index and the footer. */
  static void writeTrailer(ByteBuffer32 out, String packHex, PackIndex index, ChunkSealer sealer)
      throws IOException {
    ByteBuffer32 plain = new ByteBuffer32(4 + index.size() * ENTRY + 4);
    plain.writeInt(index.size());
    for (int i = 0; i < index.size(); i++) {
      plain.write(index.ids, i * ChunkId.LENGTH, ChunkId.LENGTH);
      plain.writeInt(index.offsets[i]);
      plain.writeInt(index.lengths[i]);
      plain.writeInt(index.raws[i]);
    }
    plain.writeInt(Bytes.crc32c(plain.array(), 0, plain.size()));
    byte[] sealed = sealer.seal(plain.array(), 0, plain.size(), indexAad(packHex));
    out.write(sealed);
    out.writeInt(sealed.length);
    out.write(END);
  }

  /** The length of the sealed pack index, from the footer (the last 12 bytes). */
  static int trailerLength(BlobKey key, byte[] footer, long packSize) throws PermanentException {
    if (footer.length != FOOTER || !Arrays.equals(footer, 4, 12, END, 0, 8)) {
      throw new PermanentException(
          key + ": pack footer is damaged or missing (a truncated or foreign object)");
    }
    int length = Bytes.getInt(footer, 0);
    if (length < 0 || length > packSize - HEADER - FOOTER) {
      throw new PermanentException(
          key + ": pack footer gives an impossible index length " + length);
    }
    return length;
  }

  /** Opens and checks the sealed pack index. */
  static PackIndex readTrailer(
      BlobKey key, byte[] sealed, int off, int len, ChunkSealer sealer, long packSize)
      throws IOException {
    String hex = packHex(key);
    byte[] plain;
    try {
      plain = sealer.open(sealed, off, len, indexAad(hex));
    } catch (PermanentException e) {
      throw new PermanentException(key + ": pack index: " + e.getMessage(), e);
    }
    if (plain.length < 8) {
      throw new PermanentException(key + ": pack index is too short");
    }
    int crc = Bytes.getInt(plain, plain.length - 4);
    if (crc != Bytes.crc32c(plain, 0, plain.length - 4)) {
      throw new PermanentException(key + ": pack index checksum mismatch");
    }
    int n = Bytes.getInt(plain, 0);
    if (n < 0 || (long) n * ENTRY + 8 != plain.length) {
      throw new PermanentException(key + ": pack index gives " + n + " entries for its length");
    }
    PackIndex index = new PackIndex(n);
    for (int i = 0; i < n; i++) {
      int p = 4 + i * ENTRY;
      int offset = Bytes.getInt(plain, p + 32);
      int length = Bytes.getInt(plain, p + 36);
      int raw = Bytes.getInt(plain, p + 40);
      if (offset < HEADER || length <= 0 || raw < 0 || (long) offset + length > packSize) {
        throw new PermanentException(
            key + ": pack index entry " + i + " points outside the pack (offset " + offset + ")");
      }
      index.add(plain, p, offset, length, raw);
    }
    return index;
  }

  /** The entries of one pack, in the order their records were written. */
  static final class PackIndex {
    byte[] ids;
    int[] offsets;
    int[] lengths;
    int[] raws;
    private int size;

    PackIndex(int capacity) {
      int c = Math.max(8, capacity);
      ids = new byte[c * ChunkId.LENGTH];
      offsets = new int[c];
      lengths = new int[c];
      raws = new int[c];
    }

    int size() {
      return size;
    }

    void add(byte[] id, int idOffset, int offset, int length, int raw) {
      if (size == offsets.length) {
        int c = size * 2;
        ids = Arrays.copyOf(ids, c * ChunkId.LENGTH);
        offsets = Arrays.copyOf(offsets, c);
        lengths = Arrays.copyOf(lengths, c);
        raws = Arrays.copyOf(raws, c);
      }
      System.arraycopy(id, idOffset, ids, size * ChunkId.LENGTH, ChunkId.LENGTH);
      offsets[size] = offset;
      lengths[size] = length;
      raws[size] = raw;
      size++;
    }

    ChunkId id(int i) {
      return ChunkId.read(ids, i * ChunkId.LENGTH);
    }
  }
}
