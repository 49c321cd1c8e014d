package io.klio.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KlioClientOptionsTest {

  @Test
  void theServerAddressPrintsAsItWasWritten() {
    // an unresolved InetSocketAddress printed "127.0.0.1/<unresolved>:1"
    assertThat(ServerAddress.parse("127.0.0.1:1")).hasToString("127.0.0.1:1");
    assertThat(ServerAddress.parse("klio.backup.svc:7433")).hasToString("klio.backup.svc:7433");
    ServerAddress v6 = ServerAddress.parse("[::1]:7433");
    assertThat(v6.host()).isEqualTo("::1");
    assertThat(v6.port()).isEqualTo(7433);
    assertThat(v6).hasToString("[::1]:7433");
  }

  @Test
  void aBadAddressIsNamedInTheError() {
    assertThatThrownBy(() -> ServerAddress.parse("nowhere"))
        .hasMessage("'nowhere' is not host:port (such as 127.0.0.1:7433)");
    assertThatThrownBy(() -> ServerAddress.parse(":7433")).hasMessageContaining("is not host:port");
    assertThatThrownBy(() -> ServerAddress.parse("a:http"))
        .hasMessage("'a:http' has no valid port");
    assertThatThrownBy(() -> ServerAddress.parse("a:65536"))
        .hasMessage("'a:65536' has no valid port");
  }

  @Test
  void theBuilderAppliesTheDefaultsAndNeedsTlsOrInsecure() {
    KlioClientOptions o =
        KlioClientOptions.builder().cluster("pg-main").server("10.0.0.1:7433").insecure().build();
    assertThat(o.cluster().value()).isEqualTo("pg-main");
    assertThat(o.server()).hasToString("10.0.0.1:7433");
    assertThat(o.tls()).isEmpty();
    assertThat(o.synchronous()).isFalse();
    assertThat(o.compressionLevel()).isEqualTo(1);
    assertThat(o.acknowledgementTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.callTimeout()).isEqualTo(Duration.ofSeconds(30));

    assertThatThrownBy(() -> KlioClientOptions.builder().cluster("a").server("a:1").build())
        .hasMessageContaining("TLS files are required");
    assertThatThrownBy(() -> KlioClientOptions.builder().server("a:1").insecure().build())
        .hasMessageContaining("the cluster is required");
    assertThatThrownBy(() -> KlioClientOptions.builder().cluster("a").insecure().build())
        .hasMessageContaining("the server address is required");
    assertThatThrownBy(() -> KlioClientOptions.builder().cluster("Not_A_Name"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valuesAreCheckedWhenBuilt() {
    KlioClientOptions.Builder b = KlioClientOptions.builder().cluster("a").server("a:1").insecure();
    assertThatThrownBy(() -> b.compressionLevel(20).build())
        .hasMessageContaining("compression level 20 is out of range 0-19");
    assertThatThrownBy(() -> b.compressionLevel(1).acknowledgementTimeout(Duration.ZERO).build())
        .hasMessageContaining("acknowledgement timeout must be positive");
  }

  @Test
  void theServerCertificateMustNameTheServerNameOrElseTheHost() {
    Path f = Path.of("x");
    KlioClientOptions.Builder b = KlioClientOptions.builder().cluster("a").server("klio:7433");
    assertThat(b.tls(f, f, f).build().serverName()).isEqualTo("klio");
    assertThat(
            b.tls(new KlioClientOptions.Tls(f, f, f, Optional.of("klio.backup.svc")))
                .build()
                .serverName())
        .isEqualTo("klio.backup.svc");
  }
}
