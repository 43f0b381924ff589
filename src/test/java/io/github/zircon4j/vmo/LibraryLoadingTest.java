package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the zircon library is found, in fresh JVMs, and what a user sees when it is not. */
class LibraryLoadingTest {
  private static final Path CLASSES =
      Path.of(System.getProperty("zircon4j.project.dir", ".")).resolve("target/classes");
  private static final Path TEST_CLASSES =
      Path.of(System.getProperty("zircon4j.project.dir", ".")).resolve("target/test-classes");

  @Test
  void bundledHostEmulationLoadsWithoutAnyProperty() throws Exception {
    List<String> lines = probe(CLASSES);
    assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("ok "));
    assertThat(lines.get(0))
        .contains("host emulation bundled for " + BundledHostLibrary.platform());
  }

  @Test
  void missingLibraryExplainsWhatWasTriedAndHowToFixIt(@TempDir Path dir) throws Exception {
    Path classesWithoutNative = dir.resolve("classes");
    copyTreeExcept(CLASSES, classesWithoutNative, "native");
    List<String> lines = probe(classesWithoutNative);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).as("the same explanation every time").isEqualTo(lines.get(0));
    assertThat(lines.get(0))
        .startsWith(
            "failed java.lang.UnsatisfiedLinkError: zircon4j: cannot find the zircon library")
        .contains("libzircon.so on java.library.path")
        .contains("no host emulation is bundled in this JAR for " + BundledHostLibrary.platform())
        .contains("src/host/build-lib")
        .contains("-Dzircon4j.library=");
  }

  @Test
  void relativeLibraryPropertyIsRejectedByName() throws Exception {
    List<String> lines = probe(CLASSES, "-Dzircon4j.library=target/host/libzircon.so");
    assertThat(lines.get(0))
        .contains("zircon4j.library must be an absolute path")
        .contains("'target/host/libzircon.so'");
  }

  @Test
  void missingLibraryFileIsNamed() throws Exception {
    List<String> lines = probe(CLASSES, "-Dzircon4j.library=/nonexistent/libzircon.so");
    assertThat(lines.get(0)).contains("/nonexistent/libzircon.so, which does not exist");
  }

  @Test
  void extractionUsesAFreshOwnerOnlyDirectoryAndVerifiesContent() throws Exception {
    Path first = BundledHostLibrary.extract();
    Path second = BundledHostLibrary.extract();
    try {
      assertThat(first).isNotNull();
      assertThat(first.getParent()).isNotEqualTo(second.getParent());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent())))
          .isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first)))
          .isEqualTo("r-x------");
      byte[] bundled =
          Files.readAllBytes(
              CLASSES
                  .resolve("io/github/zircon4j/vmo")
                  .resolve(BundledHostLibrary.resourceName(BundledHostLibrary.platform())));
      assertThat(Files.readAllBytes(first)).isEqualTo(bundled);
    } finally {
      BundledHostLibrary.loaded(first);
      BundledHostLibrary.loaded(second);
    }
    assertThat(first.getParent()).doesNotExist();
  }

  private static List<String> probe(Path classes, String... jvmOptions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(Arrays.asList(jvmOptions));
    command.add("-cp");
    command.add(classes + File.pathSeparator + TEST_CLASSES);
    command.add(LibraryLoadingProbe.class.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    return output.lines().filter(l -> l.startsWith("ok ") || l.startsWith("failed ")).toList();
  }

  private static void copyTreeExcept(Path from, Path to, String skippedDirName) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path relative = from.relativize(path);
        boolean skipped = false;
        for (Path part : relative) {
          skipped |= part.toString().equals(skippedDirName);
        }
        if (skipped) {
          continue;
        }
        Path target = to.resolve(relative.toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
