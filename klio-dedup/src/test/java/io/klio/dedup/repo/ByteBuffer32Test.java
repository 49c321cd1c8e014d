package io.klio.dedup.repo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteBuffer32Test {

  @Test
  void writesAcrossArraysReadBackInOrderAsAStreamAndAsOneArray() throws Exception {
    ByteBuffer32 b = new ByteBuffer32(100);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    Random r = new Random(42);
    while (b.size() < 3 * (1 << 20) + 12345) {
      byte[] piece = new byte[r.nextInt(200_000)];
      r.nextBytes(piece);
      b.write(piece);
      expected.write(piece);
      int v = r.nextInt();
      b.writeInt(v); // also where an array ends inside the int
      expected.write(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
      b.writeShort(0xBEEF);
      expected.write(new byte[] {(byte) 0xBE, (byte) 0xEF});
    }
    byte[] want = expected.toByteArray();
    assertThat(b.size()).isEqualTo(want.length);
    assertThat(b.stream().readAllBytes()).isEqualTo(want);
    byte[] joined = b.array();
    assertThat(java.util.Arrays.copyOf(joined, b.size())).isEqualTo(want);
    // still usable after joining
    b.write(new byte[] {1, 2, 3});
    assertThat(b.size()).isEqualTo(want.length + 3);
    byte[] again = b.stream().readAllBytes();
    assertThat(again).hasSize(want.length + 3).endsWith(1, 2, 3);
  }

  @Test
  void aBufferSizedRightIsOneArray() {
    ByteBuffer32 b = new ByteBuffer32(64);
    b.writeInt(7);
    for (int i = 1; i < 16; i++) {
      b.writeInt(9);
    }
    byte[] a = b.array();
    assertThat(a).hasSize(64);
    assertThat(b.array()).isSameAs(a);
  }
}
