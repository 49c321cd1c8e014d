package io.klio.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import org.junit.jupiter.api.Test;

class ProvidersTest {

  /** An extension point of this test: two providers named "a" and "b", two more both named "x". */
  public interface Greeter {
    String name();
  }

  public interface Clashing {
    String name();
  }

  public static final class A implements Greeter {
    @Override
    public String name() {
      return "a";
    }
  }

  public static final class B implements Greeter {
    @Override
    public String name() {
      return "b";
    }
  }

  public static final class X1 implements Clashing {
    @Override
    public String name() {
      return "x";
    }
  }

  public static final class X2 implements Clashing {
    @Override
    public String name() {
      return "x";
    }
  }

  @Test
  void findsProvidersByTheirKey() throws PermanentException {
    assertThat(Providers.all(Greeter.class, Greeter::name)).containsOnlyKeys("a", "b");
    assertThat(Providers.find(Greeter.class, Greeter::name, "b", "greeter")).isInstanceOf(B.class);
  }

  @Test
  void anUnknownKeyNamesTheKnownOnes() {
    assertThatThrownBy(() -> Providers.find(Greeter.class, Greeter::name, "c", "greeter named"))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("no greeter named 'c'; known: a, b")
        .hasMessageContaining("META-INF/services/" + Greeter.class.getName());
  }

  @Test
  void twoProvidersWithOneKeyFailEveryLookup() {
    assertThatThrownBy(() -> Providers.all(Clashing.class, Clashing::name))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("claim 'x'")
        .hasMessageContaining(X1.class.getName())
        .hasMessageContaining(X2.class.getName());
  }

  @Test
  void aCallerThatKeepsWhatItFoundReportsAnUnknownKeyTheSameWay() {
    assertThat(
            Providers.unknown(Greeter.class, "greeter named", "c", java.util.List.of("a", "b"))
                .getMessage())
        .isEqualTo(
            "no greeter named 'c'; known: a, b (an extension is found through META-INF/services/"
                + Greeter.class.getName()
                + " in a jar on the class path)");
    assertThat(
            Providers.unknown(Greeter.class, "greeter named", "c", java.util.List.of())
                .getMessage())
        .startsWith("no greeter named 'c'; known: none (");
  }
}
