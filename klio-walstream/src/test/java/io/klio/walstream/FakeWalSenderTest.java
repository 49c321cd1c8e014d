package io.klio.walstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalSegmentSize;
import io.klio.walstream.protocol.ReplicationMessage;
import io.klio.walstream.sink.DirectoryWalSink;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted walsender on a real socket: streams 2.5 segments, asks for replies, ends the timeline
 * mid-segment, then refuses the next timeline. Checks what a real server cannot show on demand:
 * each status update's flush was durable in the sink when the update arrived.
 */
class FakeWalSenderTest {

  private static final WalSegmentSize SEG = WalSegmentSize.ofMegabytes(1);
  private static final Lsn START = Lsn.parse("0/100000");
  private static final Lsn SWITCH = Lsn.parse("0/380000");

  @TempDir Path dir;

  record Status(Lsn write, Lsn flush, long clock, Lsn durableWhenReceived) {}

  @Test
  void flushReportsNeverRunAheadOfDurableWal() throws Exception {
    byte[] wal = new byte[(int) SWITCH.minus(START)];
    new Random(5).nextBytes(wal);
    DirectoryWalSink sink = new DirectoryWalSink(dir);
    List<Status> statuses = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Integer> fake = pool.submit(() -> serve(server, wal, sink, statuses));
      ConnectionSettings settings =
          ConnectionStrings.resolve(
              "host=127.0.0.1 port=" + server.getLocalPort() + " user=klio sslmode=disable",
              Map.of(),
              Map.of("HOME", "/nonexistent"));
      WalReceiver receiver =
          new WalReceiver(settings, sink, WalReceiverOptions.defaults().withSynchronous(true));
      assertThatThrownBy(receiver::run)
          .isInstanceOf(PostgresException.class)
          .hasMessageContaining("requested starting point 0/300000 on timeline 2 is refused");
      int replyRequests = fake.get(30, TimeUnit.SECONDS);
      sink.close();

      assertThat(statuses).hasSizeGreaterThanOrEqualTo(replyRequests);
      for (Status s : statuses) {
        assertThat(s.flush()).isLessThanOrEqualTo(s.durableWhenReceived());
        assertThat(s.flush()).isLessThanOrEqualTo(s.write());
        long nowMicros = ReplicationMessage.nowMicros();
        assertThat(Math.abs(nowMicros - s.clock()))
            .as("clock in µs since 2000")
            .isLessThan(60_000_000L);
      }
      assertThat(statuses.get(statuses.size() - 1).flush()).isEqualTo(SWITCH);
    } finally {
      pool.shutdownNow();
    }
    // complete segments hold exactly the bytes sent; the cut segment stays partial, zero-padded
    assertThat(Files.readAllBytes(dir.resolve("000000010000000000000001")))
        .isEqualTo(Arrays.copyOfRange(wal, 0, SEG.bytes()));
    assertThat(Files.readAllBytes(dir.resolve("000000010000000000000002")))
        .isEqualTo(Arrays.copyOfRange(wal, SEG.bytes(), 2 * SEG.bytes()));
    byte[] partial = Files.readAllBytes(dir.resolve("000000010000000000000003.partial"));
    assertThat(partial).hasSize(SEG.bytes());
    assertThat(Arrays.copyOfRange(partial, 0, SEG.bytes() / 2))
        .isEqualTo(Arrays.copyOfRange(wal, 2 * SEG.bytes(), wal.length));
    assertThat(Arrays.copyOfRange(partial, SEG.bytes() / 2, SEG.bytes())).containsOnly(0);
    assertThat(Files.readString(dir.resolve("00000002.history")))
        .isEqualTo("1\t0/380000\tno recovery target\n");
    assertThat(sink.newestSegment(SEG))
        .contains(
            new WalSink.StoredSegment(
                io.klio.api.WalFileName.Segment.of(TimelineId.of(1), 3, SEG), true));
  }

  /** Plays the server; returns how many replies it requested. */
  private static int serve(ServerSocket server, byte[] wal, WalSink sink, List<Status> statuses)
      throws Exception {
    try (Socket s = server.accept()) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      byte[] startup = new byte[in.readInt() - 4];
      in.readFully(startup);
      send(out, 'R', ByteBuffer.allocate(4).putInt(0).array());
      send(out, 'S', cstrings("server_version", "16.4"));
      send(out, 'K', ByteBuffer.allocate(8).putInt(42).putInt(7).array());
      send(out, 'Z', new byte[] {'I'});
      while (true) {
        String q = query(in);
        if (q.equals("SHOW wal_level")) {
          row(out, "SHOW", "replica");
        } else if (q.equals("SHOW wal_segment_size")) {
          row(out, "SHOW", "1MB");
        } else if (q.equals("IDENTIFY_SYSTEM")) {
          row(out, "IDENTIFY_SYSTEM", "7000000000000000001", "1", START.toString(), null);
        } else if (q.equals("START_REPLICATION PHYSICAL 0/100000 TIMELINE 1")) {
          break;
        } else {
          throw new AssertionError("unexpected query: " + q);
        }
      }
      send(out, 'W', new byte[] {0, 0, 0});
      Thread reader = new Thread(() -> readStatuses(in, sink, statuses));
      reader.start();
      int replies = 0;
      int chunk = 32 * 1024;
      for (int off = 0, n = 0; off < wal.length; off += chunk, n++) {
        int len = Math.min(chunk, wal.length - off);
        ByteBuffer x =
            ByteBuffer.allocate(25 + len)
                .put((byte) 'w')
                .putLong(START.value() + off)
                .putLong(SWITCH.value())
                .putLong(0);
        x.put(wal, off, len);
        copyData(out, x.array());
        if (n % 10 == 9) {
          copyData(
              out,
              ByteBuffer.allocate(18)
                  .put((byte) 'k')
                  .putLong(START.value() + off + len)
                  .putLong(0)
                  .put((byte) 1)
                  .array());
          replies++;
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (statuses.isEmpty() || !statuses.get(statuses.size() - 1).flush().equals(SWITCH)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the receiver never reported the end as flushed: " + statuses);
        }
        Thread.sleep(5);
      }
      send(out, 'c', new byte[0]); // end of timeline 1
      reader.join(10_000);
      // result set: next timeline 2 starting at the switch point
      send(out, 'T', rowDescription(2));
      send(out, 'D', dataRow("2", SWITCH.toString()));
      send(out, 'C', cstrings("SELECT 1"));
      send(out, 'C', cstrings("START_STREAMING"));
      send(out, 'Z', new byte[] {'I'});
      String q = query(in);
      assertThat(q).isEqualTo("TIMELINE_HISTORY 2");
      send(out, 'T', rowDescription(2));
      send(out, 'D', dataRow("00000002.history", "1\t0/380000\tno recovery target\n"));
      send(out, 'C', cstrings("TIMELINE_HISTORY"));
      send(out, 'Z', new byte[] {'I'});
      q = query(in);
      assertThat(q).isEqualTo("START_REPLICATION PHYSICAL 0/300000 TIMELINE 2");
      send(
          out,
          'E',
          errorFields(
              "ERROR", "XX000", "requested starting point 0/300000 on timeline 2 is refused"));
      send(out, 'Z', new byte[] {'I'});
      return replies;
    }
  }

  /** Reads the client's CopyData until its CopyDone, recording each status update. */
  private static void readStatuses(DataInputStream in, WalSink sink, List<Status> statuses) {
    try {
      while (true) {
        int tag = in.read();
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        Lsn durableNow = sink.durableLsn();
        if (tag == 'c') {
          return;
        }
        assertThat((char) tag).isEqualTo('d');
        ByteBuffer b = ByteBuffer.wrap(body);
        assertThat((char) b.get()).isEqualTo('r');
        statuses.add(new Status(Lsn.of(b.getLong()), Lsn.of(b.getLong()), skip(b), durableNow));
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static long skip(ByteBuffer b) {
    b.getLong(); // apply
    return b.getLong();
  }

  private static String query(DataInputStream in) throws IOException {
    int tag = in.read();
    byte[] body = new byte[in.readInt() - 4];
    in.readFully(body);
    assertThat((char) tag).isEqualTo('Q');
    return new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
  }

  private static void row(DataOutputStream out, String tag, String... values) throws IOException {
    send(out, 'T', rowDescription(values.length));
    send(out, 'D', dataRow(values));
    send(out, 'C', cstrings(tag));
    send(out, 'Z', new byte[] {'I'});
  }

  private static byte[] rowDescription(int n) {
    ByteBuffer b = ByteBuffer.allocate(2 + n * 20).putShort((short) n);
    for (int i = 0; i < n; i++) {
      b.put((byte) ('a' + i))
          .put((byte) 0)
          .putInt(0)
          .putShort((short) 0)
          .putInt(25)
          .putShort((short) -1)
          .putInt(-1)
          .putShort((short) 0);
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  private static byte[] dataRow(String... values) {
    ByteBuffer b = ByteBuffer.allocate(1024).putShort((short) values.length);
    for (String v : values) {
      if (v == null) {
        b.putInt(-1);
      } else {
        byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
        b.putInt(bytes.length).put(bytes);
      }
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  private static byte[] errorFields(String severity, String code, String message) {
    ByteBuffer b = ByteBuffer.allocate(512);
    b.put((byte) 'S').put(cstrings(severity));
    b.put((byte) 'C').put(cstrings(code));
    b.put((byte) 'M').put(cstrings(message));
    b.put((byte) 0);
    return Arrays.copyOf(b.array(), b.position());
  }

  private static byte[] cstrings(String... s) {
    ByteBuffer b = ByteBuffer.allocate(1024);
    for (String x : s) {
      b.put(x.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  private static void copyData(DataOutputStream out, byte[] payload) throws IOException {
    send(out, 'd', payload);
  }

  private static synchronized void send(DataOutputStream out, char tag, byte[] body)
      throws IOException {
    out.write(tag);
    out.writeInt(body.length + 4);
    out.write(body);
    out.flush();
  }
}
