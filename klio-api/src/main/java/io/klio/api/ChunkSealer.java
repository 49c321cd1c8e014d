package io.klio.api;

import java.io.IOException;
import java.util.Arrays;

/**
 * Encrypts and authenticates small objects held in memory: the chunks inside a pack, a pack's own
 * index, a repository index. klio-crypto supplies the encrypting one from the key ring; an
 * unencrypted repository uses {@link #NONE}. The associated data binds the sealed bytes to their
 * place (a chunk's id, an object's key), so bytes moved elsewhere fail to open. Implementations are
 * thread-safe.
 */
public interface ChunkSealer {

  /** The scheme's name as stored in the repository config, such as {@code aes256-gcm}. */
  String scheme();

  /** The sealed form of {@code plain[offset, offset + length)}. */
  byte[] seal(byte[] plain, int offset, int length, byte[] associatedData) throws IOException;

  /**
   * The plaintext of {@code sealed[offset, offset + length)}.
   *
   * @throws io.klio.api.error.PermanentException when the bytes were altered, belong to another
   *     place, or were sealed with a key this sealer does not hold
   */
  byte[] open(byte[] sealed, int offset, int length, byte[] associatedData) throws IOException;

  /** No encryption: sealing copies the bytes, opening copies them back. */
  ChunkSealer NONE =
      new ChunkSealer() {
        @Override
        public String scheme() {
          return "none";
        }

        @Override
        public byte[] seal(byte[] plain, int offset, int length, byte[] associatedData) {
          return Arrays.copyOfRange(plain, offset, offset + length);
        }

        @Override
        public byte[] open(byte[] sealed, int offset, int length, byte[] associatedData) {
          return Arrays.copyOfRange(sealed, offset, offset + length);
        }

        @Override
        public String toString() {
          return "ChunkSealer.NONE";
        }
      };
}
