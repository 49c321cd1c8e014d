package io.klio.storage;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlobPageTest {

  @Test
  void maxKeysMustBeOneOrMore() {
    assertThatThrownBy(() -> BlobPage.checkMaxKeys(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxKeys must be 1 or more, not 0");
    assertThatCode(() -> BlobPage.checkMaxKeys(1)).doesNotThrowAnyException();
  }
}
