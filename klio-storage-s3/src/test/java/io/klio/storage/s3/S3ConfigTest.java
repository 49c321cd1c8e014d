package io.klio.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobStores;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3ConfigTest {

  private static S3Config parse(String uri, Map<String, String> options) throws Exception {
    return S3Config.parse(URI.create(uri), options);
  }

  @Test
  void defaults() throws Exception {
    S3Config c = parse("s3://bucket", Map.of());
    assertThat(c.bucket()).isEqualTo("bucket");
    assertThat(c.prefix()).isEmpty();
    assertThat(c.region()).isEmpty();
    assertThat(c.endpoint()).isEmpty();
    assertThat(c.pathStyle()).isFalse();
    assertThat(c.credentials().mode()).isEqualTo(S3Config.Credentials.Mode.DEFAULT_CHAIN);
    assertThat(c.sse()).isEqualTo(S3Config.Sse.NONE);
    assertThat(c.conditionalPut()).isTrue();
    assertThat(c.verifyReads()).isTrue();
    assertThat(c.partSize()).isEqualTo(8 << 20);
    assertThat(c.uploadThreads()).isEqualTo(4);
    assertThat(c.uploadBuffers()).isEqualTo(8);
    assertThat(c.maxAttempts()).isEqualTo(3);
  }

  @Test
  void optionsFromTheQueryAndTheMap() throws Exception {
    S3Config c =
        parse(
            "s3://my.bucket/a/b/?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A9000&sse=kms",
            Map.of("kmsKeyId", "arn:aws:kms:eu-west-1:1:key/x", "partSize", "16MiB"));
    assertThat(c.prefix()).isEqualTo("a/b/");
    assertThat(c.region()).contains("eu-west-1");
    assertThat(c.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
    assertThat(c.pathStyle()).as("path-style by default with an endpoint").isTrue();
    assertThat(c.sse()).isEqualTo(S3Config.Sse.KMS);
    assertThat(c.kmsKeyId()).contains("arn:aws:kms:eu-west-1:1:key/x");
    assertThat(c.partSize()).isEqualTo(16 << 20);
    assertThat(c.location()).isEqualTo("s3://my.bucket/a/b/");
    // an endpoint need not be escaped in the query
    assertThat(parse("s3://b?endpoint=http://h:1", Map.of()).endpoint())
        .contains(URI.create("http://h:1"));
  }

  @Test
  void credentialsFromAFileOrAnonymous() throws Exception {
    S3Config c = parse("s3://b", Map.of("credentialsFile", "/etc/klio/s3"));
    assertThat(c.credentials().mode()).isEqualTo(S3Config.Credentials.Mode.FILE);
    assertThat(c.credentials().file()).contains(Path.of("/etc/klio/s3"));
    assertThat(c.credentials().describe()).contains("/etc/klio/s3");
    assertThat(parse("s3://b?credentials=anonymous", Map.of()).credentials().mode())
        .isEqualTo(S3Config.Credentials.Mode.ANONYMOUS);
    assertThat(parse("s3://b?profile=backup", Map.of()).credentials().describe())
        .contains("profile 'backup'");
  }

  @Test
  void badInputIsAPermanentErrorNamingIt() {
    String[][] cases = {
      {"s3:///prefix", "needs a bucket"},
      {"s3://b?regoin=x", "unknown option 'regoin'"},
      {"s3://b?sse=aes", "sse='aes'"},
      {"s3://b?kmsKeyId=k", "needs sse=kms"},
      {"s3://b?storageClass=COLD", "storageClass='COLD'"},
      {"s3://b?partSize=1MiB", "out of range"},
      {"s3://b?partSize=lots", "partSize='lots'"},
      {"s3://b?uploadThreads=0", "out of range"},
      {"s3://b?pathStyle=yes", "pathStyle='yes'"},
      {"s3://b?endpoint=127.0.0.1:9000", "endpoint='127.0.0.1:9000'"},
      {"s3://b?credentials=anonymous&credentialsFile=/x", "credentialsFile"},
      {"s3://b?credentials=file", "credentialsFile"},
      {"s3://b?credentials=anonymous&profile=p", "profile"},
      {"s3://b/a%20b", "prefix"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(c[0], Map.of()))
          .as(c[0])
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining(c[1]);
    }
    assertThatThrownBy(() -> parse("s3://b?region=x", Map.of("region", "y")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> BlobStores.open(URI.create("s3://b"), Map.of("regoin", "x")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("regoin");
  }
}
