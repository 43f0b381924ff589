package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A process out of file descriptors (the host emulation holds one per VMO that holds data) gets
 * {@code ZX_ERR_NO_RESOURCES}, and the message says what holds them and which limit it hit.
 */
class DescriptorLimitTest {
  private static final Path PROJECT = Path.of(System.getProperty("zircon4j.project.dir", "."));

  @Test
  void runningOutOfDescriptorsIsNoResourcesNamingTheLimitAndWhatHoldsThem() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath =
        PROJECT.resolve("target/classes")
            + File.pathSeparator
            + PROJECT.resolve("target/test-classes");
    // -XX:-MaxFDLimit keeps the JVM from raising its soft limit to the hard one.
    List<String> command =
        List.of(
            "bash",
            "-c",
            "ulimit -n 256 && exec \"$@\"",
            "limit",
            java,
            "-XX:-MaxFDLimit",
            "--enable-native-access=ALL-UNNAMED",
            "-Dzircon4j.library=" + System.getProperty("zircon4j.library"),
            "-cp",
            classpath,
            DescriptorLimitProbe.class.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    assertThat(output)
        .as(output)
        .contains(
            "failed " + ZxStatus.ERR_NO_RESOURCES + " failed to write VMO: ZX_ERR_NO_RESOURCES")
        .contains("holds one file descriptor per VMO that holds data")
        .contains("reached its limit of 256 open file descriptors (ulimit -n");
  }
}
