package io.klio.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.klio.api.grpc.v1.StreamResponse;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The WAL socket's frames, byte for byte (docs/grpc-api.md, "The WAL socket"). */
class WalSocketProtocolTest {

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static DataInputStream in(String hex) {
    return new DataInputStream(new ByteArrayInputStream(HexFormat.of().parseHex(hex)));
  }

  @Test
  void framesAreATypeByteALengthAndThePayload() {
    assertThat(hex(WalSocketProtocol.PREAMBLE)).isEqualTo("4b4c575300000001");
    assertThat(hex(WalSocketProtocol.frame(WalSocketProtocol.DONE))).isEqualTo("4400000000");
    assertThat(hex(WalSocketProtocol.frame(WalSocketProtocol.COMPLETED))).isEqualTo("4300000000");
    // durable_lsn = 0x1000000 (field 1), flush_sequence = 7 (field 2)
    StreamResponse ack =
        StreamResponse.newBuilder().setDurableLsn(1 << 24).setFlushSequence(7).build();
    assertThat(hex(WalSocketProtocol.frame(WalSocketProtocol.ACK, ack)))
        .isEqualTo("41" + "00000007" + "0880808008" + "1007");
  }

  @Test
  void anErrorFrameCarriesTheStatusCodeAndItsDescription() throws Exception {
    byte[] f = WalSocketProtocol.errorFrame(Status.PERMISSION_DENIED.withDescription("not 'main'"));
    assertThat(hex(f)).isEqualTo("45" + "0000000e" + "00000007" + hex("not 'main'".getBytes()));
    WalSocketProtocol.Frame read =
        WalSocketProtocol.read(new DataInputStream(new ByteArrayInputStream(f)), "x");
    assertThat(read.type()).isEqualTo(WalSocketProtocol.ERROR);
    Status s = WalSocketProtocol.status(read.payload());
    assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(s.getDescription()).isEqualTo("not 'main'");
    assertThat(WalSocketProtocol.status(new byte[2]).getCode()).isEqualTo(Status.Code.INTERNAL);
  }

  @Test
  void anOversizedFrameIsAProtocolErrorAndAnEmptyStreamAnEnd() {
    assertThatThrownBy(() -> WalSocketProtocol.read(in("4d01000001"), "the client"))
        .isInstanceOf(WalSocketProtocol.ProtocolException.class)
        .hasMessageContaining("the client sent a frame of 16777217 bytes (at most 16777216)");
    assertThatThrownBy(() -> WalSocketProtocol.read(in("4dffffffff"), "the client"))
        .isInstanceOf(WalSocketProtocol.ProtocolException.class)
        .hasMessageContaining("4294967295 bytes");
    assertThatThrownBy(() -> WalSocketProtocol.read(in(""), "p")).isInstanceOf(EOFException.class);
  }

  @Test
  void thePreambleNamesWhatIsWrongWithIt() throws Exception {
    WalSocketProtocol.readPreamble(in("4b4c575300000001"), "p");
    assertThatThrownBy(() -> WalSocketProtocol.readPreamble(in("4b4c575300000002"), "p"))
        .isInstanceOf(WalSocketProtocol.ProtocolException.class)
        .hasMessageContaining("speaks version 2 of the protocol");
    assertThatThrownBy(
            () -> WalSocketProtocol.readPreamble(in(hex("PRI * HTTP/2.0".getBytes())), "p"))
        .hasMessageContaining("is not a Klio WAL socket client (wrong preamble)");
  }
}
