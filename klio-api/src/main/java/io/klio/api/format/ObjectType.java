package io.klio.api.format;

import java.util.Optional;
import java.util.Set;

/**
 * The object types of the common header's type byte (docs/format.md, "Common object header"). An id
 * is part of the repository format: it never changes meaning and is never given to another type.
 *
 * <p>Ids 4 and 5 are reserved for packs and index objects, and 8 for the key ring: those objects
 * have headers of their own ({@code KLIOPACK}, {@code KLIOINDX}, {@code KLKR}), so no object with
 * the common header carries these ids, and a reader refuses them like any unknown id.
 */
public enum ObjectType {
  /** A complete WAL segment, {@code clusters/<cluster>/wal/<xlog>/<segment>}. */
  WAL_SEGMENT(1, "WAL segment"),
  /** A timeline history file, {@code clusters/<cluster>/wal/history/<TL>.history}. */
  TIMELINE_HISTORY(2, "timeline history"),
  /** A backup history file, {@code clusters/<cluster>/wal/backup/<segment>.<offset>.backup}. */
  BACKUP_HISTORY(3, "backup history"),
  /** A base backup manifest, {@code clusters/<cluster>/backups/<backup-id>/manifest}. */
  BACKUP_MANIFEST(6, "backup manifest"),
  /** A cluster's metadata, {@code clusters/<cluster>/cluster}. */
  CLUSTER_METADATA(7, "cluster metadata");

  /** Ids that no object with the common header carries: 4 pack, 5 index object, 8 key ring. */
  public static final Set<Integer> RESERVED = Set.of(4, 5, 8);

  private final int id;
  private final String description;

  ObjectType(int id, String description) {
    this.id = id;
    this.description = description;
  }

  /** The type byte of the header. */
  public int id() {
    return id;
  }

  /** What the type is, for messages: {@code WAL segment}. */
  public String description() {
    return description;
  }

  /** The type with the header's type byte {@code id}; empty for an unknown or reserved id. */
  public static Optional<ObjectType> byId(int id) {
    for (ObjectType t : values()) {
      if (t.id == id) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
