package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's example compiles as written and prints what its comment says. */
class ReadmeExampleTest {
  private static final Path PROJECT = Path.of(System.getProperty("zircon4j.project.dir", "."));

  @Test
  void readmeExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
    String readme = Files.readString(PROJECT.resolve("README.md"));
    Matcher block =
        Pattern.compile(
                "compiled and run by ReadmeExampleTest\\. -->\\s*```java\\n(.*?)```",
                Pattern.DOTALL)
            .matcher(readme);
    assertThat(block.find()).as("README has the marked example block").isTrue();
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
            .formatted(block.group(1));
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
    assertThat(printed.toString(StandardCharsets.UTF_8).strip()).isEqualTo("h");
  }
}
