package io.klio.api.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ObjectHeaderTest {

  static final String KEY = "clusters/main/wal/0000000100000000/000000010000000000000001";

  static ObjectHeader read(byte[] bytes) throws IOException {
    return ObjectHeader.read(KEY, new ByteArrayInputStream(bytes));
  }

  /** A valid header with byte {@code at} set to {@code value} and, when asked, its CRC fixed. */
  static byte[] with(int at, int value, boolean fixCrc) {
    byte[] h =
        new ObjectHeader(ObjectType.WAL_SEGMENT, 0, ObjectHeader.ENCRYPTION_NONE, 0, 16 << 20)
            .encode();
    h[at] = (byte) value;
    if (fixCrc) {
      CRC32C crc = new CRC32C();
      crc.update(h, 0, 20);
      ByteBuffer.wrap(h, 20, 4).putInt((int) crc.getValue());
    }
    return h;
  }

  /** The bytes of docs/format.md, pinned: a WAL segment, codec none, data key 7, 16 MiB. */
  @Test
  void encodesTheDocumentedBytes() throws Exception {
    ObjectHeader h =
        new ObjectHeader(
            ObjectType.WAL_SEGMENT,
            Codecs.NONE_ID,
            ObjectHeader.ENCRYPTION_AES256_GCM_HKDF_1MB,
            7,
            16 << 20);
    byte[] b = h.encode();
    assertThat(HexFormat.of().formatHex(b, 0, 20))
        .isEqualTo("4b4c494f" + "01" + "01" + "00" + "01" + "00000007" + "0000000001000000");
    CRC32C crc = new CRC32C();
    crc.update(b, 0, 20);
    assertThat(ByteBuffer.wrap(b, 20, 4).getInt()).isEqualTo((int) crc.getValue());
    assertThat(read(b)).isEqualTo(h);
    assertThat(h.storedPayloadLength()).isEqualTo(16 << 20);
    ObjectHeader unknownLength =
        new ObjectHeader(ObjectType.TIMELINE_HISTORY, 200, 0, 0, ObjectHeader.UNKNOWN_LENGTH);
    assertThat(HexFormat.of().formatHex(unknownLength.encode(), 4, 20))
        .isEqualTo("01" + "02" + "c8" + "00" + "00000000" + "ffffffffffffffff");
    assertThat(read(unknownLength.encode())).isEqualTo(unknownLength);
    // with a codec, the stored payload's length is not the plaintext's
    assertThat(new ObjectHeader(ObjectType.WAL_SEGMENT, 200, 0, 0, 5).storedPayloadLength())
        .isEqualTo(ObjectHeader.UNKNOWN_LENGTH);
  }

  @Test
  void readsEveryKnownTypeAndRefusesReservedOnes() throws Exception {
    for (ObjectType t : ObjectType.values()) {
      assertThat(read(with(5, t.id(), true)).type()).isEqualTo(t);
      assertThat(ObjectType.RESERVED).doesNotContain(t.id());
    }
    for (int reserved : ObjectType.RESERVED) {
      assertThat(ObjectType.byId(reserved)).isEmpty();
      assertThatThrownBy(() -> read(with(5, reserved, true)))
          .isInstanceOf(PermanentException.class)
          .hasMessage(
              "object '"
                  + KEY
                  + "' has object type "
                  + reserved
                  + ", which this version of Klio does not know; upgrade Klio to read it");
    }
  }

  @Test
  void aShortObjectIsTruncated() {
    byte[] h = with(0, 'K', false);
    for (int n : new int[] {0, 4, 5, 23}) {
      assertThatThrownBy(() -> read(Arrays.copyOf(h, n)))
          .isInstanceOf(CorruptObjectException.class)
          .hasMessage(
              "object '" + KEY + "' is truncated: " + n + " bytes, shorter than its header");
    }
  }

  @Test
  void checksRunInTheDocumentedOrder() {
    // 1. magic, even when everything else is wrong too
    byte[] badMagic = with(0, 'X', false);
    badMagic[4] = 9;
    assertThatThrownBy(() -> read(badMagic))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessage("object '" + KEY + "' is not a Klio object (bad magic)");
    // 2. the version before the CRC: a newer version may have another length or CRC placement
    assertThatThrownBy(() -> read(with(4, 2, false)))
        .isInstanceOf(PermanentException.class)
        .isNotInstanceOf(CorruptObjectException.class)
        .hasMessage(
            "object '"
                + KEY
                + "' has header version 2, which this version of Klio does not know; upgrade Klio"
                + " to read it");
    // ... even when the object is shorter than a version 1 header
    assertThatThrownBy(() -> read(Arrays.copyOf(with(4, 2, false), 5)))
        .hasMessageContaining("header version 2");
    // 3. the CRC, before the type, codec and encryption it covers
    assertThatThrownBy(() -> read(with(5, 99, false)))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessage("the header of object '" + KEY + "' is corrupted (checksum mismatch)");
    assertThatThrownBy(() -> read(with(12, 1, false)))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("checksum mismatch");
    // 4. type
    byte[] allUnknown = with(5, 99, true);
    allUnknown[6] = 99;
    allUnknown[7] = 9;
    fixCrc(allUnknown);
    assertThatThrownBy(() -> read(allUnknown)).hasMessageContaining("object type 99");
    // 5. codec: accepted exactly when a registered codec has the id
    byte[] codec = with(6, 99, true);
    codec[7] = 9;
    fixCrc(codec);
    assertThatThrownBy(() -> read(codec))
        .isInstanceOf(PermanentException.class)
        .hasMessage(
            "object '"
                + KEY
                + "' uses codec 99, which no codec on the class path has (known: 0 none, 200"
                + " test-reverse); upgrade Klio, or add the jar of the codec that wrote it");
    // 6. encryption
    assertThatThrownBy(() -> read(with(7, 9, true)))
        .isInstanceOf(PermanentException.class)
        .hasMessage(
            "object '"
                + KEY
                + "' uses encryption 9, which this version of Klio does not know; upgrade Klio to"
                + " read it");
  }

  @Test
  void aThirdPartysRegisteredCodecIsAccepted() throws Exception {
    assertThat(read(with(6, 200, true)).codec()).isEqualTo(200);
  }

  @Test
  void aHeaderNoReaderCouldOpenIsNotBuilt() {
    assertThatThrownBy(() -> new ObjectHeader(ObjectType.WAL_SEGMENT, 1, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("codec 1 is not registered (known: 0 none, 200 test-reverse)");
    assertThatThrownBy(() -> new ObjectHeader(ObjectType.WAL_SEGMENT, 0, 2, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown encryption 2");
  }

  /** Random bytes after a valid magic and version: a clean, typed refusal or a valid header. */
  @Test
  void randomHeadersFailCleanly() {
    java.util.Random r = new java.util.Random(14);
    for (int i = 0; i < 20_000; i++) {
      byte[] h = with(0, 'K', false);
      for (int j = 5; j < 24; j++) {
        if (r.nextInt(4) == 0) {
          h[j] = (byte) r.nextInt();
        }
      }
      if (r.nextBoolean()) {
        fixCrc(h);
      }
      try {
        ObjectHeader got = read(h);
        assertThat(got.encode()).isEqualTo(h);
      } catch (PermanentException expected) {
        assertThat(expected.getMessage()).contains(KEY);
      } catch (IOException e) {
        throw new AssertionError("untyped failure", e);
      }
    }
  }

  private static void fixCrc(byte[] h) {
    CRC32C crc = new CRC32C();
    crc.update(h, 0, 20);
    ByteBuffer.wrap(h, 20, 4).putInt((int) crc.getValue());
  }
}
