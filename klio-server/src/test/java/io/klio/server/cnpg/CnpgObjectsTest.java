package io.klio.server.cnpg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading the Cluster and Backup JSON CloudNativePG sends to the hooks. */
class CnpgObjectsTest {

  private static ByteString json(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void readsTheRecoveryTargetOfACluster() throws Exception {
    CnpgObjects.Cluster c =
        CnpgObjects.cluster(
            json(
                "{\"metadata\":{\"name\":\"pg\",\"namespace\":\"db\",\"uid\":\"u1\"},"
                    + "\"spec\":{\"unknown\":[1,2],\"bootstrap\":{\"recovery\":{\"source\":\"o\","
                    + "\"recoveryTarget\":{\"targetTime\":\"2026-12-02 10:00:00+00\","
                    + "\"targetTLI\":\"3\",\"backupID\":\"\"}}}}}"));
    assertThat(c.name()).isEqualTo("pg");
    assertThat(c.namespace()).isEqualTo("db");
    assertThat(c.uid()).isEqualTo("u1");
    assertThat(c.recoveryTarget().targetTime()).contains("2026-12-02 10:00:00+00");
    assertThat(c.recoveryTarget().targetTli()).contains("3");
    assertThat(c.recoveryTarget().backupId()).as("an empty string is absent").isEmpty();
    assertThat(c.recoveryTarget().targetLsn()).isEmpty();
  }

  @Test
  void aClusterWithoutRecoveryHasNoTarget() throws Exception {
    CnpgObjects.Cluster c = CnpgObjects.cluster(json("{\"metadata\":{\"name\":\"pg\"}}"));
    assertThat(c.recoveryTarget()).isEqualTo(CnpgObjects.RecoveryTarget.NONE);
    assertThat(c.uid()).isEmpty();
    assertThat(CnpgObjects.backup(json("{\"metadata\":{\"name\":\"b1\"}}")).name()).isEqualTo("b1");
    assertThat(Optional.of(c.namespace())).contains("");
  }

  @Test
  void refusesWhatIsNoObjectWithAName() {
    for (String bad : new String[] {"", "{", "[1]", "{\"kind\":\"Cluster\"}", "\"x\""}) {
      assertThatThrownBy(() -> CnpgObjects.cluster(json(bad)))
          .as(bad)
          .isInstanceOfSatisfying(
              StatusException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining("cluster_definition");
    }
    assertThatThrownBy(() -> CnpgObjects.backup(json("{\"metadata\":{}}")))
        .hasMessageContaining("backup_definition has no metadata.name");
  }
}
