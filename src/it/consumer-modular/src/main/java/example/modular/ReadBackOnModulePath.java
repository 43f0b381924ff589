package example.modular;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.MapOption;
import io.github.zircon4j.vmo.Vmo;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** The Rust original's `read` test as a program, run with the library as a named module. */
public final class ReadBackOnModulePath {
  private ReadBackOnModulePath() {}

  public static void main(String[] args) {
    byte[] content = "content".getBytes(StandardCharsets.US_ASCII);
    if (!ImmutableMapping.class.getModule().isNamed()) {
      throw new AssertionError("the library is not on the module path");
    }
    for (boolean immediatelyPage : new boolean[] {true, false}) {
      try (Vmo vmo = Vmo.create(1)) {
        vmo.write(content, 0);
        try (ImmutableMapping mapping =
            ImmutableMapping.create(
                vmo,
                immediatelyPage
                    ? new MapOption[] {MapOption.PAGE_IMMEDIATELY}
                    : new MapOption[0])) {
          byte[] expected = new byte[(int) vmo.size()];
          System.arraycopy(content, 0, expected, 0, content.length);
          if (!java.util.Arrays.equals(
              expected, mapping.segment().toArray(ValueLayout.JAVA_BYTE))) {
            throw new AssertionError("mapping does not hold the written bytes");
          }
        }
      }
    }
    System.out.println("module path consumer: read test passed in both paging modes");
  }
}
