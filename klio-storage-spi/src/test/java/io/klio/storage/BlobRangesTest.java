package io.klio.storage;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import org.junit.jupiter.api.Test;

/** Every backend words a bad range the same: these are the messages users see. */
class BlobRangesTest {

  private static final BlobKey KEY = BlobKey.of("wal/000000010000000000000001");

  @Test
  void negativeOffsetOrLengthIsAnArgumentError() {
    assertThatThrownBy(() -> BlobRanges.checkArguments(KEY, -1, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("negative range (offset -1, length 5) for 'wal/000000010000000000000001'");
    assertThatThrownBy(() -> BlobRanges.checkArguments(KEY, 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("negative range (offset 0, length -1) for 'wal/000000010000000000000001'");
    assertThatCode(() -> BlobRanges.checkArguments(KEY, 0, 0)).doesNotThrowAnyException();
    assertThatCode(() -> BlobRanges.checkArguments(KEY, Long.MAX_VALUE, Long.MAX_VALUE))
        .doesNotThrowAnyException();
  }

  @Test
  void anOffsetBeyondTheEndIsPermanentAnOffsetAtTheEndIsNot() {
    assertThatThrownBy(() -> BlobRanges.checkOffset(KEY, 11, 10, "file:///tier1/"))
        .isInstanceOf(PermanentException.class)
        .hasMessage(
            "range starts at 11 beyond the end of 'wal/000000010000000000000001' (10 bytes) in"
                + " file:///tier1/");
    assertThatCode(() -> BlobRanges.checkOffset(KEY, 10, 10, "s")).doesNotThrowAnyException();
    assertThatCode(() -> BlobRanges.checkOffset(KEY, 0, 0, "s")).doesNotThrowAnyException();
  }
}
