package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** JUnit is an optional dependency: the library loads and works without it. */
class JarWithoutJUnitTest {
  private static final Path PROJECT =
      Path.of(System.getProperty("zircon4j.project.dir", ".")).toAbsolutePath();

  @Test
  void everyClassButTheJUnitExtensionLoadsAndInjectedFailuresWorkWithoutJUnit() throws Exception {
    Path classes = PROJECT.resolve("target/classes");
    Path testClasses = PROJECT.resolve("target/test-classes");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dzircon4j.library=" + System.getProperty("zircon4j.library"),
                "-cp",
                classes + File.pathSeparator + testClasses,
                WithoutJUnitProbe.class.getName(),
                classes.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    assertThat(output.lines().toList())
        .containsExactly(
            "junit absent",
            "cannot load io.github.zircon4j.vmo.testing.ZirconLeakCheck:"
                + " java.lang.NoClassDefFoundError:"
                + " org/junit/jupiter/api/extension/BeforeEachCallback",
            "loaded all others",
            "failed to create child VMO: ZX_ERR_NO_MEMORY (-4) [vmo handle H, options H, offset 0,"
                + " size 4096]");
  }
}
