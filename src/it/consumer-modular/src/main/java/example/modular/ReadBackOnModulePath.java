package example.modular;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.MapOption;
import io.github.zircon4j.vmo.Vmo;
import io.github.zircon4j.vmo.ZxException;
import io.github.zircon4j.vmo.ZxStatus;
import io.github.zircon4j.vmo.testing.InjectedFault;
import io.github.zircon4j.vmo.testing.ZirconFaults;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The Rust original's `read` test as a program, run with the library as a named module and without
 * JUnit (an optional dependency of the library, so not on this module path): the library and its
 * testing package's injected failures work without it.
 */
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
    if (ModuleLayer.boot().findModule("org.junit.jupiter.api").isPresent()) {
      throw new AssertionError(
          "JUnit is on the module path: the library's dependency on it leaked");
    }
    try (Vmo vmo = Vmo.create(1);
        InjectedFault fault = ZirconFaults.failNext("zx_vmar_map", ZxStatus.ERR_NO_MEMORY)) {
      try {
        ImmutableMapping.create(vmo, false).close();
        throw new AssertionError("the injected failure of zx_vmar_map did not reach the caller");
      } catch (ZxException e) {
        if (e.status() != ZxStatus.ERR_NO_MEMORY || fault.remaining() != 0) {
          throw new AssertionError("unexpected failure: " + e, e);
        }
      }
      if (vmo.info().numChildren() != 0) {
        throw new AssertionError("the failed snapshot left a child VMO");
      }
    }
    System.out.println("module path consumer: read test passed in both paging modes");
    System.out.println("module path consumer: an injected failure works without JUnit");
  }
}
