package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed bindings are exactly what jextract makes from {@code native-headers/} with the
 * arguments in {@code jextract.properties}: nobody edited them by hand, and nobody changed a header
 * without regenerating. Needs a {@code jextract} on PATH; skipped (with the reason) without.
 */
class BindingsUpToDateTest {
  private static final Path PROJECT = Path.of(System.getProperty("zircon4j.project.dir", "."));
  private static final String PACKAGE_DIR = "io/github/zircon4j/zircon";

  @Test
  void committedBindingsMatchAFreshJextractRun(@TempDir Path out) throws Exception {
    assumeTrue(
        onPath("jextract"),
        "no `jextract` on PATH: cannot regenerate the bindings to compare (see docs/building.md,"
            + " 'Regenerating the bindings')");
    Process process =
        new ProcessBuilder(
                List.of(
                    "bash", PROJECT.resolve("scripts/regen-bindings").toString(), out.toString()))
            .redirectErrorStream(true)
            .start();
    String log = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as("scripts/regen-bindings output:%n%s", log).isZero();

    Map<String, String> fresh = filesUnder(out.resolve(PACKAGE_DIR));
    Map<String, String> committed =
        filesUnder(PROJECT.resolve("src/main/java").resolve(PACKAGE_DIR));
    assertThat(committed.keySet()).as("generated file names").isEqualTo(fresh.keySet());
    for (String name : fresh.keySet()) {
      assertThat(committed.get(name))
          .as("%s differs from jextract's output; run scripts/regen-bindings", name)
          .isEqualTo(fresh.get(name));
    }
  }

  private static Map<String, String> filesUnder(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.list(dir)) {
      for (Path file : paths.toList()) {
        files.put(file.getFileName().toString(), Files.readString(file));
      }
    }
    return files;
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
