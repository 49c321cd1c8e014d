package io.klio.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.klio.api.Lsn;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.StreamRequest;
import io.klio.api.grpc.v1.StreamResponse;
import io.klio.api.grpc.v1.WalData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The acknowledgement window against a scripted transport: what it sends, when it gives up. */
class AckWindowTest {

  /** A transport that records what is sent; the test plays the server. */
  private static final class Recorded implements WalTransport {
    final List<StreamRequest> sent = new ArrayList<>();
    volatile boolean ready = true;
    boolean completed;

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public boolean blocking() {
      return false;
    }

    @Override
    public void send(StreamRequest m) {
      sent.add(m);
    }

    @Override
    public void complete() {
      completed = true;
    }
  }

  private final Recorded transport = new Recorded();
  private final List<Lsn> reported = new CopyOnWriteArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();

  private AckWindow.Acks open(AckWindow w) {
    AckWindow.Acks acks = w.open(reported::add);
    w.attach(acks, transport);
    return acks;
  }

  private static WalData.Builder wal(long start) {
    return WalData.newBuilder()
        .setTimeline(1)
        .setStartLsn(start)
        .setData(ByteString.copyFrom(new byte[8]));
  }

  private static StreamResponse ack(long durable, long sequence) {
    return StreamResponse.newBuilder().setDurableLsn(durable).setFlushSequence(sequence).build();
  }

  @Test
  void synchronousWalTravelsWithTheFlushRequestThatFollowsIt() throws Exception {
    AckWindow w = new AckWindow(Duration.ofSeconds(5), true, failures::incrementAndGet);
    AckWindow.Acks acks = open(w);
    w.data(wal(100));
    assertThat(transport.sent).isEmpty(); // held for its flush request
    w.data(wal(108)); // the first goes on its own
    long seq = w.requestFlush();
    assertThat(transport.sent).hasSize(2);
    assertThat(transport.sent.get(0).getData().getFlushSequence()).isZero();
    assertThat(transport.sent.get(1).getData().getStartLsn()).isEqualTo(108);
    assertThat(transport.sent.get(1).getData().getFlushSequence()).isEqualTo(seq).isEqualTo(1);

    acks.onNext(ack(116, 1)); // the server's answer, on its thread in real life
    w.awaitAcknowledged(seq);
    assertThat(w.durable()).isEqualTo(Lsn.of(116));
    assertThat(reported).containsExactly(Lsn.of(116));

    long alone = w.requestFlush(); // nothing held: a flush request of its own
    assertThat(transport.sent.get(2).hasFlush()).isTrue();
    assertThat(transport.sent.get(2).getFlush().getSequence()).isEqualTo(alone).isEqualTo(2);
  }

  @Test
  void asynchronousWalGoesAtOnce() throws Exception {
    AckWindow w = new AckWindow(Duration.ofSeconds(5), false, failures::incrementAndGet);
    open(w);
    w.data(wal(100));
    assertThat(transport.sent).hasSize(1);
  }

  @Test
  void aFlushTheServerDoesNotAnswerFailsAfterTheTimeout() throws Exception {
    AckWindow w = new AckWindow(Duration.ofMillis(200), true, failures::incrementAndGet);
    open(w);
    long seq = w.requestFlush();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> w.awaitAcknowledged(seq))
        .isInstanceOf(RetryableException.class)
        .hasMessageStartingWith("the Klio server did not acknowledge a flush within");
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    // a request not waited for fails the next one once it is older than the timeout
    assertThatThrownBy(w::requestFlush).isInstanceOf(RetryableException.class);
  }

  @Test
  void aTransportThatTakesNothingFailsAfterTheTimeout() {
    AckWindow w = new AckWindow(Duration.ofMillis(100), false, failures::incrementAndGet);
    open(w);
    transport.ready = false;
    assertThatThrownBy(() -> w.data(wal(100)))
        .isInstanceOf(RetryableException.class)
        .hasMessageContaining("accepted no WAL");
  }

  @Test
  void theServersFailureEndsTheStreamWithItsKind() throws Exception {
    AckWindow w = new AckWindow(Duration.ofSeconds(5), false, failures::incrementAndGet);
    AckWindow.Acks acks = open(w);
    acks.onError(Status.PERMISSION_DENIED.withDescription("not yours").asRuntimeException());
    assertThat(failures).hasValue(1);
    assertThat(w.isOpen()).isFalse();
    assertThatThrownBy(() -> w.data(wal(100)))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("PERMISSION_DENIED: not yours");
    w.close();
    assertThat(transport.completed).isFalse(); // it ended already
  }

  @Test
  void answersToAnEarlierStreamAreIgnored() throws Exception {
    AckWindow w = new AckWindow(Duration.ofSeconds(5), false, failures::incrementAndGet);
    AckWindow.Acks old = open(w);
    w.close();
    assertThat(transport.completed).isTrue();
    open(w);
    old.onNext(ack(1 << 20, 1));
    old.onError(Status.UNAVAILABLE.asRuntimeException());
    assertThat(w.durable()).isEqualTo(Lsn.INVALID);
    assertThat(failures).hasValue(0);
    assertThat(w.isOpen()).isTrue();
  }
}
