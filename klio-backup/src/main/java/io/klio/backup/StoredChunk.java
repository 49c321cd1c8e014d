package io.klio.backup;

import io.klio.dedup.repo.ChunkId;

/**
 * A chunk as the repository holds it, read back for a restore ({@code ChunkData} of the gRPC API).
 *
 * @param id the id that was asked for
 * @param codec the codec id of {@code data} (0 none, 1 zstd, 2 lz4)
 * @param data the encoded bytes, handed over to the reader
 * @param length the chunk's length before encoding, as stored
 * @param location where it is stored (pack key and offset), for error messages
 */
public record StoredChunk(ChunkId id, int codec, byte[] data, int length, String location) {}
