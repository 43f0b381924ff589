package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.testing.ZirconFaults;
import io.github.zircon4j.zircon.Zircon;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulation's fault controls against the bindings, and their absence elsewhere. */
class FaultControlTest {
  private static final Path PROJECT =
      Path.of(System.getProperty("zircon4j.project.dir", ".")).toAbsolutePath();

  /** zircon functions that return no zx_status_t, only a value: they cannot fail. */
  private static final Set<String> CANNOT_FAIL =
      Set.of(
          "zx_system_get_page_size",
          "zx_vmar_root_self",
          "zx_process_self",
          "zx_thread_self",
          "zx_job_default",
          "zx_clock_get_monotonic");

  @Test
  void everyBoundSyscallThatReturnsAStatusCanBeFailed() {
    List<String> statusReturning =
        Arrays.stream(Zircon.class.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
            .filter(m -> m.getName().startsWith("zx_") && !m.getName().contains("$"))
            .filter(m -> m.getReturnType() == int.class)
            .map(Method::getName)
            .filter(name -> !CANNOT_FAIL.contains(name))
            .distinct()
            .sorted()
            .toList();
    assertThat(ZirconFaults.syscalls().stream().sorted().toList())
        .as("add a ZX_FAULT_POINT line and a kSyscalls entry (src/host/c/fault.c) for each")
        .isEqualTo(statusReturning);
  }

  /**
   * A libzircon.so that has zircon's functions but not the emulation's controls (built from the
   * same sources, exporting zx_* only) stands for Fuchsia's vDSO or another emulation.
   */
  @Test
  void anotherZirconLibraryHasNoInjectedFailuresAndSaysWhy(@TempDir Path dir) throws Exception {
    Path map = Files.writeString(dir.resolve("zx-only.map"), "{ global: zx_*; local: *; };\n");
    Path library = dir.resolve("libzircon.so");
    List<String> compile =
        new ArrayList<>(
            List.of(
                "cc",
                "-std=c11",
                "-D_GNU_SOURCE",
                "-O1",
                "-fPIC",
                "-shared",
                "-fvisibility=hidden",
                "-I",
                PROJECT.resolve("native-headers").toString(),
                "-I",
                PROJECT.resolve("src/host/c").toString(),
                "-Wl,-soname,libzircon.so",
                "-Wl,--version-script=" + map,
                "-o",
                library.toString()));
    try (Stream<Path> sources = Files.list(PROJECT.resolve("src/host/c"))) {
      sources
          .filter(p -> p.toString().endsWith(".c"))
          .sorted()
          .forEach(p -> compile.add(p.toString()));
    }
    compile.add("-lpthread");
    assertThat(run(compile)).isEmpty();

    String output =
        run(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dzircon4j.library=" + library,
                "-cp",
                System.getProperty("java.class.path"),
                FaultsUnsupportedProbe.class.getName()));
    assertThat(output.lines().toList())
        .containsExactly(
            "vmo ok",
            "supported false",
            "java.lang.UnsupportedOperationException: zircon4j: injected failures need zircon4j's"
                + " host emulation of zircon, but the zircon library in use"
                + " (zircon4j.library="
                + library
                + ") does not define zircon4j_fault_arm. On"
                + " Fuchsia, syscalls cannot be made to fail on purpose: run such tests on Linux"
                + " with the host emulation bundled in the zircon4j JAR (or with -Dzircon4j.library"
                + " naming a libzircon.so built from its src/host/c).");
  }

  private static String run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + File.separator + output).isZero();
    return output;
  }
}
