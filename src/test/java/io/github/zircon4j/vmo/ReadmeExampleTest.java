package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.zircon4j.vmo.testing.InjectedFault;
import io.github.zircon4j.vmo.testing.ZirconFaults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The README's examples compile as written and print what their comments say, and the Javadoc
 * overview shows the same examples.
 */
class ReadmeExampleTest {
  private static final Path PROJECT = Path.of(System.getProperty("zircon4j.project.dir", "."));
  private static final String SNAPSHOT_MARKER = "compiled and run by ReadmeExampleTest\\. -->";
  private static final String WRITER_READER_MARKER =
      "compiled and run by ReadmeExampleTest \\(writer and reader\\)\\. -->";
  private static final String TESTING_MARKER =
      "compiled and run by ReadmeExampleTest \\(testing your component\\), and is\\s+"
          + "src/it/consumer's SnapshotCacheTest\\. -->";
  private static final String INJECTED_MARKER =
      "The injected failure, verbatim \\(checked by ReadmeExampleTest\\)\\. -->";
  private static final String LEAK_MARKER =
      "The leak report of the example without latest.close\\(\\), verbatim \\(checked by"
          + " ReadmeExampleTest\\)\\. -->";

  @Test
  void readmeExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
    assertThat(compileAndRun(readmeBlock(SNAPSHOT_MARKER), dir)).isEqualTo("h");
  }

  @Test
  void writerAndReaderExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
    assertThat(compileAndRun(readmeBlock(WRITER_READER_MARKER), dir)).isEqualTo("old new");
  }

  @Test
  void testingExampleIsAPassingJUnitTestAndTheConsumerRunsIt(@TempDir Path dir) throws Exception {
    String example = readmeBlock(TESTING_MARKER, "java");
    assertThat(runJUnit(example, dir)).isEqualTo("passed");
    String consumerCopy =
        Files.readString(
            PROJECT.resolve("src/it/consumer/src/test/java/example/SnapshotCacheTest.java"));
    assertThat(consumerCopy).isEqualTo("package example;\n\n" + example);
  }

  @Test
  void testingExampleWithoutItsCloseFailsWithTheReadmesLeakReport(@TempDir Path dir)
      throws Exception {
    String example = readmeBlock(TESTING_MARKER, "java");
    String leaky = example.replaceFirst("\n        latest\\.close\\(\\);", "");
    assertThat(leaky).isNotEqualTo(example);
    assertThat(runJUnit(leaky, dir))
        .isEqualTo("failed: " + readmeBlock(LEAK_MARKER, "text").strip());
  }

  @Test
  void injectedFailureLooksAsTheReadmeShows() {
    try (Vmo vmo = Vmo.create(4096);
        InjectedFault fault = ZirconFaults.failNext("zx_vmar_map", ZxStatus.ERR_NO_MEMORY)) {
      assertThatThrownBy(() -> ImmutableMapping.create(vmo))
          .hasMessage(readmeBlock(INJECTED_MARKER, "text").strip());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Compiles a JUnit test class and runs it; returns "passed", or "failed: " and the message. */
  private static String runJUnit(String source, Path dir) throws Exception {
    Path file = dir.resolve("SnapshotCacheTest.java");
    Files.writeString(file, source);
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int exit =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                diagnostics,
                diagnostics,
                "--release",
                "23",
                "-Xlint:all",
                "-Werror",
                "-classpath",
                System.getProperty("java.class.path"),
                "-d",
                dir.toString(),
                file.toString());
    assertThat(exit).as("javac:%n%s%nsource:%n%s", diagnostics, source).isZero();
    List<String> outcomes = new ArrayList<>();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {dir.toUri().toURL()}, ReadmeExampleTest.class.getClassLoader())) {
      LauncherFactory.create()
          .execute(
              LauncherDiscoveryRequestBuilder.request()
                  .selectors(DiscoverySelectors.selectClass(loader.loadClass("SnapshotCacheTest")))
                  .build(),
              new TestExecutionListener() {
                @Override
                public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                  if (test.isTest()) {
                    outcomes.add(
                        result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
                            ? "passed"
                            : "failed: "
                                + result.getThrowable().map(Throwable::getMessage).orElse(""));
                  }
                }
              });
    }
    assertThat(outcomes).hasSize(1);
    return outcomes.get(0);
  }

  @Test
  void javadocOverviewShowsBothReadmeExamples() throws Exception {
    String overview = Files.readString(PROJECT.resolve("src/main/javadoc/overview.html"));
    Matcher blocks =
        Pattern.compile("<pre>\\{@code\\n(.*?)}</pre>", Pattern.DOTALL).matcher(overview);
    List<String> shown = new ArrayList<>();
    while (blocks.find()) {
      shown.add(normalized(blocks.group(1)));
    }
    assertThat(shown)
        .as("the overview's code blocks")
        .contains(
            normalized(readmeBlock(SNAPSHOT_MARKER)),
            normalized(readmeBlock(WRITER_READER_MARKER)));
    assertThat(overview)
        .contains("--enable-native-access=io.github.zircon4j.mappedvmo")
        .contains("--enable-native-access=ALL-UNNAMED");
  }

  /** The lines of a block, each stripped, without blank ones: the overview may indent otherwise. */
  private static String normalized(String block) {
    return String.join(
        "\n", block.lines().map(String::strip).filter(line -> !line.isEmpty()).toList());
  }

  private static String readmeBlock(String marker) throws Exception {
    return readmeBlock(marker, "java");
  }

  private static String readmeBlock(String marker, String language) throws Exception {
    String readme = Files.readString(PROJECT.resolve("README.md"));
    Matcher block =
        Pattern.compile(marker + "\\s*```" + language + "\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertThat(block.find()).as("README has the block marked %s", marker).isTrue();
    return block.group(1);
  }

  /** Compiles {@code body} as the body of a main method and returns what it printed, stripped. */
  private String compileAndRun(String body, Path dir) throws Exception {
    String source =
        """
        import io.github.zircon4j.vmo.*;
        import java.lang.foreign.*;
        import java.nio.charset.StandardCharsets;

        public class ReadmeExample {
          public static void main(String[] args) {
        %s
          }
        }
        """
            .formatted(body);
    Path file = dir.resolve("ReadmeExample.java");
    Files.writeString(file, source);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int exit =
        javac.run(
            null,
            diagnostics,
            diagnostics,
            List.of(
                    "--release",
                    "23",
                    "-Xlint:all",
                    "-Werror",
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    dir.toString(),
                    file.toString())
                .toArray(String[]::new));
    assertThat(exit).as("javac:%n%s%nsource:%n%s", diagnostics, source).isZero();

    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      loader
          .loadClass("ReadmeExample")
          .getMethod("main", String[].class)
          .invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(stdout);
    }
    return printed.toString(StandardCharsets.UTF_8).strip();
  }
}
