package io.klio.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.RetryableException;
import io.klio.api.format.CorruptObjectException;
import io.klio.storage.BlobKey;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.AbortableInputStream;

/** Reads check what the object was written with; damaged or short bodies fail with the key. */
class S3InputStreamTest {

  private static final BlobKey KEY = BlobKey.of("pack/00");
  private final byte[] data = new byte[100_000];

  S3InputStreamTest() {
    new Random(5).nextBytes(data);
  }

  private static S3InputStream stream(byte[] body, long length, ObjectMeta.Check check) {
    return new S3InputStream(
        new ResponseInputStream<>(
            new Object(), AbortableInputStream.create(new ByteArrayInputStream(body))),
        length,
        check,
        KEY,
        "s3://b/");
  }

  /** The ETag S3 gives an object uploaded in parts of {@code partSize}. */
  private static String multipartEtag(byte[] b, int partSize) throws Exception {
    MessageDigest all = MessageDigest.getInstance("MD5");
    int parts = 0;
    for (int off = 0; off < b.length; off += partSize, parts++) {
      all.update(
          MessageDigest.getInstance("MD5")
              .digest(Arrays.copyOfRange(b, off, Math.min(b.length, off + partSize))));
    }
    return HexFormat.of().formatHex(all.digest()) + "-" + parts;
  }

  @Test
  void wholeMd5() throws Exception {
    var check = new ObjectMeta.WholeMd5(S3Upload.md5(data, data.length));
    assertThat(stream(data, data.length, check).readAllBytes()).isEqualTo(data);
    byte[] bad = data.clone();
    bad[50_000] ^= 1;
    assertThatThrownBy(() -> stream(bad, bad.length, check).readAllBytes())
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("'pack/00'")
        .hasMessageContaining("s3://b/");
  }

  @Test
  void multipartEtag() throws Exception {
    for (int partSize : new int[] {7_000, 50_000, 100_000}) {
      var check = new ObjectMeta.PartsMd5(partSize, multipartEtag(data, partSize));
      assertThat(stream(data, data.length, check).readAllBytes()).isEqualTo(data);
      byte[] bad = data.clone();
      bad[99_999] ^= 1;
      assertThatThrownBy(() -> stream(bad, bad.length, check).readAllBytes())
          .as("part size %d", partSize)
          .isInstanceOf(CorruptObjectException.class);
    }
  }

  @Test
  void aShortBodyIsRetryable() {
    byte[] shorter = Arrays.copyOf(data, 90_000);
    assertThatThrownBy(() -> stream(shorter, data.length, new ObjectMeta.None()).readAllBytes())
        .isInstanceOf(RetryableException.class)
        .hasMessageContaining("90000 of its 100000 bytes");
  }
}
