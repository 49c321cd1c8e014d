package io.klio.walstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.walstream.protocol.BackendMessage.*;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Byte-level tests of every message, and decoder fuzzing. */
class MessagesTest {

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] unhex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void frontendMessagesEncodeToTheProtocolBytes() {
    assertThat(hex(new FrontendMessage.Query("SELECT 1").encode()))
        .isEqualTo("51" + "0000000d" + "53454c4543542031" + "00");
    assertThat(hex(FrontendMessage.SslRequest.INSTANCE.encode())).isEqualTo("0000000804d2162f");
    assertThat(hex(FrontendMessage.CopyDone.INSTANCE.encode())).isEqualTo("6300000004");
    assertThat(hex(FrontendMessage.Terminate.INSTANCE.encode())).isEqualTo("5800000004");
    assertThat(hex(new FrontendMessage.CopyData(new byte[] {1, 2}).encode()))
        .isEqualTo("64000000060102");
    assertThat(hex(new FrontendMessage.Password("pw").encode())).isEqualTo("70000000077077" + "00");
    assertThat(hex(new FrontendMessage.SaslInitialResponse("M", new byte[] {9}).encode()))
        .isEqualTo("70" + "0000000b" + "4d00" + "00000001" + "09");
    assertThat(
            hex(new FrontendMessage.Startup(Map.of("user", "u", "replication", "true")).encode()))
        .isEqualTo(
            "00000021"
                + "00030000"
                + "7265706c69636174696f6e00"
                + "7472756500"
                + "7573657200"
                + "7500"
                + "00");
    assertThat(new FrontendMessage.Password("secret").toString()).doesNotContain("secret");
    assertThatThrownBy(() -> new FrontendMessage.Query("a\0b").encode())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void standbyStatusUpdateBytes() {
    byte[] b =
        new ReplicationMessage.StandbyStatusUpdate(
                Lsn.parse("1/2"), Lsn.parse("0/3"), Lsn.INVALID, 0x0102030405060708L, true)
            .encode();
    assertThat(hex(b))
        .isEqualTo(
            "72"
                + "0000000100000002"
                + "0000000000000003"
                + "0000000000000000"
                + "0102030405060708"
                + "01");
  }

  @Test
  void postgresEpochTimestamps() {
    long now = ReplicationMessage.nowMicros();
    // 2026 is about 26.9 years after 2000-01-01
    assertThat(now / 1_000_000L / 86_400 / 365).isBetween(25L, 40L);
  }

  @Test
  void backendMessagesDecode() throws IOException {
    assertThat(decode("52 00000008 00000000")).isEqualTo(new AuthenticationOk());
    assertThat(decode("52 0000000c 00000005 01020304"))
        .isInstanceOf(AuthenticationMd5Password.class);
    assertThat(
            decode(
                "52 0000002a 0000000a 5343 52414d2d5348412d3235362d504c555300 5343 52414d2d5348412d32353600 00"))
        .isEqualTo(
            new AuthenticationSasl(java.util.List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")));
    assertThat(decode("53 00000008 610062 00")).isEqualTo(new ParameterStatus("a", "b"));
    assertThat(decode("5a 00000005 49")).isEqualTo(new ReadyForQuery('I'));
    ErrorResponse e = (ErrorResponse) decode("45 00000013 53 4552524f5200 43 343250303100 00");
    assertThat(e.fields()).containsEntry('S', "ERROR").containsEntry('C', "42P01");
    DataRow row = (DataRow) decode("44 0000000f 0002 00000001 31 ffffffff");
    assertThat(row.values()).hasSize(2);
    assertThat(row.values().get(1)).isEmpty();
    assertThat(decode("43 0000000b 53454c45435400")).isEqualTo(new CommandComplete("SELECT"));
    assertThat(decode("57 00000007 00 0000")).isInstanceOf(CopyBothResponse.class);
    assertThat(decode("63 00000004")).isEqualTo(new CopyDone());
  }

  @Test
  void replicationMessagesDecode() throws IOException {
    byte[] x =
        ByteBuffer.allocate(25 + 3)
            .put((byte) 'w')
            .putLong(0x100)
            .putLong(0x200)
            .putLong(7)
            .put(new byte[] {1, 2, 3})
            .array();
    ReplicationMessage.XLogData d = (ReplicationMessage.XLogData) ReplicationMessage.decode(x);
    assertThat(d.start()).isEqualTo(Lsn.of(0x100));
    assertThat(d.end()).isEqualTo(Lsn.of(0x103));
    assertThat(d.length()).isEqualTo(3);
    byte[] k =
        ByteBuffer.allocate(18).put((byte) 'k').putLong(0x300).putLong(9).put((byte) 1).array();
    assertThat(ReplicationMessage.decode(k))
        .isEqualTo(new ReplicationMessage.PrimaryKeepalive(Lsn.of(0x300), 9, true));
    assertThatThrownBy(() -> ReplicationMessage.decode(new byte[] {'q'}))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("0x71");
    assertThatThrownBy(() -> ReplicationMessage.decode(new byte[] {'k', 0}))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void malformedMessagesFailCleanly() {
    assertThatThrownBy(() -> decode("3f 00000004"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unknown message tag");
    assertThatThrownBy(() -> decode("5a 00000003"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("invalid length");
    assertThatThrownBy(() -> decode("5a 7fffffff")).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> decode("53 00000006 6100"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unterminated");
    assertThatThrownBy(() -> decode("44 00000006 7fff")).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> decode("5a 0000")).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> decode("5a 00000006 4949"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("trailing");
    // a length that promises more than arrives: a clean EOF, not a giant allocation
    assertThatThrownBy(() -> decode("64 3fffffff 0102")).isInstanceOf(EOFException.class);
  }

  private static BackendMessage decode(String hex) throws IOException {
    return new BackendDecoder(new ByteArrayInputStream(unhex(hex))).next();
  }

  /**
   * Random bytes: a message, a protocol error or end of stream; never anything else, never a hang.
   */
  @Property(tries = 3000)
  void randomInputFailsCleanly(@ForAll @Size(max = 64) byte[] input) {
    BackendDecoder d = new BackendDecoder(new ByteArrayInputStream(input));
    for (int i = 0; i < 64; i++) {
      try {
        BackendMessage m = d.next();
        if (m instanceof CopyData cd && cd.data().length > 0) {
          decodeReplication(cd.data());
        }
      } catch (ProtocolException | EOFException expected) {
        return;
      } catch (IOException e) {
        throw new AssertionError("unexpected " + e, e);
      }
    }
  }

  private static void decodeReplication(byte[] data) {
    try {
      ReplicationMessage.decode(data);
    } catch (ProtocolException expected) {
      // fine
    }
  }

  /** Valid messages with bytes flipped, cut or inserted. */
  @Test
  void mutatedMessagesFailCleanly() {
    String[] valid = {
      "52 0000002a 0000000a 5343 52414d2d5348412d3235362d504c555300 5343 52414d2d5348412d32353600 00",
      "45 00000013 53 4552524f5200 43 343250303100 00",
      "44 0000000f 0002 00000001 31 ffffffff",
      "54 0000001a 0001 6100 00000000 0000 00000019 ffff ffffffff 0000",
      "64 00000016 6b 0000000000000300 0000000000000009 01",
      "76 0000000c 00000000 00000000"
    };
    Random random = new Random(11);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = unhex(valid[random.nextInt(valid.length)]);
      switch (random.nextInt(3)) {
        case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
        default -> {
          byte[] c = new byte[b.length + 1];
          int at = random.nextInt(b.length);
          System.arraycopy(b, 0, c, 0, at);
          c[at] = (byte) random.nextInt(256);
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
      }
      try {
        BackendMessage m = new BackendDecoder(new ByteArrayInputStream(b)).next();
        if (m instanceof CopyData cd && cd.data().length > 0) {
          decodeReplication(cd.data());
        }
      } catch (ProtocolException | EOFException expected) {
        // a clean failure
      } catch (IOException | RuntimeException e) {
        throw new AssertionError("mutation of round " + round + " (" + hex(b) + ") gave " + e, e);
      }
    }
  }
}
