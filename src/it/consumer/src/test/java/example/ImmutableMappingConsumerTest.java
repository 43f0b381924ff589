package example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.MapOption;
import io.github.zircon4j.vmo.Vmo;
import java.io.File;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a consumer gets from the dependency alone, on Linux: the bundled host emulation. */
class ImmutableMappingConsumerTest {
  private static final byte[] CONTENT = "content".getBytes(StandardCharsets.US_ASCII);

  /** The Rust original's `read` test, through ImmutableMapping, in both paging modes. */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void readShowsThePageRoundedContents(boolean immediatelyPage) {
    assertNull(System.getProperty("zircon4j.library"), "no property: the bundled library is used");
    try (Vmo vmo = Vmo.create(1)) {
      vmo.write(CONTENT, 0);
      try (ImmutableMapping mapping =
          ImmutableMapping.create(
              vmo,
              immediatelyPage ? new MapOption[] {MapOption.PAGE_IMMEDIATELY} : new MapOption[0])) {
        byte[] expected = new byte[(int) vmo.size()];
        System.arraycopy(CONTENT, 0, expected, 0, CONTENT.length);
        assertArrayEquals(expected, mapping.segment().toArray(ValueLayout.JAVA_BYTE));
      }
    }
  }

  /** Two JVMs started together, each with only the JAR on the class path, both work. */
  @Test
  void twoJvmsStartedTogetherBothWork() throws Exception {
    String jar = libraryJar();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes =
        Path.of(ReadBack.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      processes.add(
          new ProcessBuilder(
                  java,
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  jar + File.pathSeparator + classes,
                  ReadBack.class.getName())
              .redirectErrorStream(true)
              .start());
    }
    for (Process process : processes) {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, process.waitFor(), output);
      assertEquals("read back: content", output.strip());
    }
  }

  private static String libraryJar() {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.contains("mapped-vmo") && entry.endsWith(".jar")) {
        return entry;
      }
    }
    throw new AssertionError(
        "mapped-vmo JAR not on the class path: " + System.getProperty("java.class.path"));
  }
}
