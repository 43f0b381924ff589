package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the zircon library is found, in fresh JVMs, and the exact explanation a user sees for each
 * way it can fail. Tests that need a mount of their own run the JVM in a private mount namespace
 * ({@code unshare --mount}) and are skipped, with the reason, where that is not permitted.
 */
class LibraryLoadingTest {
  private static final Path PROJECT = Path.of(System.getProperty("zircon4j.project.dir", "."));
  private static final Path CLASSES = PROJECT.resolve("target/classes").toAbsolutePath();
  private static final Path TEST_CLASSES = PROJECT.resolve("target/test-classes").toAbsolutePath();
  private static final Path HOST_LIBRARY =
      PROJECT.resolve("target/host/libzircon.so").toAbsolutePath();
  private static final Path LIBZ = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1");
  private static final String PLATFORM = BundledHostLibrary.platform();
  private static final String TRIED_ALREADY_LOADED =
      "already in the process (dlopen(\"libzircon.so\", RTLD_NOLOAD)): none loaded";
  private static final String JAR_USER_ADVICE =
      "As a user of the zircon4j JAR: run with -Djava.io.tmpdir=<a writable directory on a file"
          + " system mounted with exec>, or with -Dzircon4j.library=/absolute/path/to/libzircon.so.";

  @Test
  void bundledHostEmulationLoadsFromAnInMemoryFileWithoutAnyProperty() throws Exception {
    Probe probe = probe(CLASSES, Map.of());
    probe.assertWorkedVia(
        "host emulation bundled for " + PLATFORM + ", loaded from an in-memory file (memfd)");
    assertThat(probe.mappedZirconFiles()).containsExactly("/memfd:libzircon.so (deleted)");
  }

  @Test
  void preloadedEmulationIsUsedAndNothingIsExtracted(@TempDir Path dir) throws Exception {
    Path missingTmp = dir.resolve("no-such-tmpdir");
    Probe probe =
        probe(
            CLASSES,
            Map.of("LD_PRELOAD", HOST_LIBRARY.toString()),
            "-Djava.io.tmpdir=" + missingTmp);
    probe.assertWorkedVia("already in the process: " + HOST_LIBRARY);
    assertThat(probe.mappedZirconFiles()).containsExactly(HOST_LIBRARY.toString());
    assertThat(missingTmp).doesNotExist();
  }

  @Test
  void simulatedFuchsiaUsesTheLibraryInTheProcessAndNeverExtracts(@TempDir Path dir)
      throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Probe probe =
        probe(
            withoutBundledLibraries(dir),
            Map.of("LD_PRELOAD", HOST_LIBRARY.toString()),
            "-Dos.name=Fuchsia",
            "-Djava.io.tmpdir=" + tmp);
    probe.assertWorkedVia("already in the process: " + HOST_LIBRARY);
    assertThat(probe.mappedZirconFiles()).containsExactly(HOST_LIBRARY.toString());
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void fuchsiaWithoutZirconInTheProcessNeverExtractsTheBundledLibrary(@TempDir Path dir)
      throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Probe probe =
        probe(
            CLASSES,
            Map.of(),
            "-Dos.name=Fuchsia",
            "-Dzircon4j.extraction=directory",
            "-Djava.io.tmpdir=" + tmp,
            "-Djava.library.path=" + tmp);
    probe.assertFailedTwiceWith(
        "java.lang.UnsatisfiedLinkError: zircon4j: cannot find the zircon library (libzircon.so,"
            + " which provides the zx_* syscalls). Tried, in order:|  - "
            + TRIED_ALREADY_LOADED
            + "|  - libzircon.so on java.library.path ["
            + tmp
            + "]: not found|  - host emulation bundled for fuchsia-x86_64: not used, the bundled"
            + " host emulation is for Linux and os.name is Fuchsia|On Fuchsia the vDSO provides"
            + " libzircon.so. Elsewhere, pass -Dzircon4j.library=/absolute/path/to/libzircon.so"
            + " (the host emulation is built by `make -C src/host lib OUT=DIR` from the zircon4j"
            + " sources), or put a libzircon.so on java.library.path.");
    assertThat(probe.mappedZirconFiles()).isEmpty();
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void missingLibraryExplainsWhatWasTriedAndHowToFixIt(@TempDir Path dir) throws Exception {
    Path empty = Files.createDirectory(dir.resolve("lib"));
    Probe probe = probe(withoutBundledLibraries(dir), Map.of(), "-Djava.library.path=" + empty);
    probe.assertFailedTwiceWith(
        "java.lang.UnsatisfiedLinkError: zircon4j: cannot find the zircon library (libzircon.so,"
            + " which provides the zx_* syscalls). Tried, in order:|  - "
            + TRIED_ALREADY_LOADED
            + "|  - libzircon.so on java.library.path ["
            + empty
            + "]: not found|  - no host emulation is bundled in this JAR for "
            + PLATFORM
            + "|On Fuchsia the vDSO provides libzircon.so. Elsewhere, pass"
            + " -Dzircon4j.library=/absolute/path/to/libzircon.so (the host emulation is built by"
            + " `make -C src/host lib OUT=DIR` from the zircon4j sources), or put a libzircon.so on"
            + " java.library.path.");
  }

  @Test
  void argumentRejectedBeforeLoadingLeavesTheBindingsUsable() throws Exception {
    Probe probe = probe(CLASSES, Map.of(), List.of("reject-first"));
    assertThat(probe.output()).contains("rejected java.lang.NullPointerException: vmo");
    probe.assertWorkedVia(
        "host emulation bundled for " + PLATFORM + ", loaded from an in-memory file (memfd)");
  }

  @Test
  void libraryOnTheLibraryPathIsUsed(@TempDir Path dir) throws Exception {
    Path lib = Files.createDirectory(dir.resolve("lib"));
    Files.copy(HOST_LIBRARY, lib.resolve("libzircon.so"));
    Probe probe = probe(withoutBundledLibraries(dir), Map.of(), "-Djava.library.path=" + lib);
    probe.assertWorkedVia("java.library.path: " + lib.resolve("libzircon.so"));
  }

  @Test
  void nonZirconLibraryOnTheLibraryPathIsSkippedAndNamed(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(LIBZ), "no " + LIBZ + " on this machine");
    Path lib = Files.createDirectory(dir.resolve("lib"));
    Files.copy(LIBZ, lib.resolve("libzircon.so"));
    Probe probe = probe(CLASSES, Map.of(), "-Djava.library.path=" + lib);
    probe.assertWorkedVia(
        "host emulation bundled for " + PLATFORM + ", loaded from an in-memory file (memfd)");

    Probe without = probe(withoutBundledLibraries(dir), Map.of(), "-Djava.library.path=" + lib);
    assertThat(without.results().get(0))
        .contains(
            "|  - "
                + lib.resolve("libzircon.so")
                + " on java.library.path: not a zircon library (lacks zx_cache_flush)|");
  }

  @Test
  void nonZirconLibraryInThePropertyIsRejectedNamingTheFirstMissingSymbol() throws Exception {
    assumeTrue(Files.isRegularFile(LIBZ), "no " + LIBZ + " on this machine");
    probe(CLASSES, Map.of(), "-Dzircon4j.library=" + LIBZ)
        .assertFailedTwiceWith(
            "java.lang.UnsatisfiedLinkError: zircon4j: "
                + LIBZ
                + " (from -Dzircon4j.library) is not a zircon library: it does not define"
                + " zx_cache_flush, which the bindings call. Point -Dzircon4j.library at a"
                + " libzircon.so built from src/host/c, or unset it.");
  }

  @Test
  void propertyWinsOverTheLibraryInTheProcess() throws Exception {
    Probe probe =
        probe(
            CLASSES,
            Map.of("LD_PRELOAD", HOST_LIBRARY.toString()),
            "-Dzircon4j.library=" + HOST_LIBRARY);
    probe.assertWorkedVia("zircon4j.library=" + HOST_LIBRARY);
    assertThat(probe.mappedZirconFiles()).containsExactly(HOST_LIBRARY.toString());
  }

  @Test
  void relativeLibraryPropertyIsRejectedByName() throws Exception {
    probe(CLASSES, Map.of(), "-Dzircon4j.library=target/host/libzircon.so")
        .assertFailedTwiceWith(
            "java.lang.UnsatisfiedLinkError: zircon4j: system property zircon4j.library must be"
                + " an absolute path to libzircon.so, but is 'target/host/libzircon.so'");
  }

  @Test
  void missingLibraryFileIsNamed() throws Exception {
    probe(CLASSES, Map.of(), "-Dzircon4j.library=/nonexistent/libzircon.so")
        .assertFailedTwiceWith(
            "java.lang.UnsatisfiedLinkError: zircon4j: system property zircon4j.library names"
                + " /nonexistent/libzircon.so, which does not exist or is not a file. Build the"
                + " host emulation with `make -C src/host lib OUT=DIR` (or `mvn verify`), or unset"
                + " the property.");
  }

  @Test
  void deniedNativeAccessNamesBothFlagsOnEveryCall() throws Exception {
    Probe probe = probeWithoutNativeAccess(CLASSES, "--illegal-native-access=deny");
    probe.assertFailedTwiceWith(
        "java.lang.IllegalCallerException: zircon4j: native access is denied to the unnamed"
            + " module (zircon4j is on the class path), so the zircon library cannot be loaded or"
            + " called (Illegal native access from an unnamed module (file:"
            + CLASSES
            + "/)). Start the JVM with --enable-native-access=ALL-UNNAMED when zircon4j is on the"
            + " class path, or with --enable-native-access=io.github.zircon4j.mappedvmo when it is"
            + " on the module path (for Maven Surefire: in <argLine>).");
  }

  @Test
  void anUnknownLeakDetectionValueFailsEveryCallNamingPropertyValueAndChoices() throws Exception {
    probe(CLASSES, Map.of(), "-Dzircon4j.leakDetection=bogus")
        .assertFailedTwiceWith(
            "java.lang.IllegalStateException: zircon4j: system property zircon4j.leakDetection is"
                + " \"bogus\", which is not one of off, on, trace (case does not matter). Fix or"
                + " remove -Dzircon4j.leakDetection.");
  }

  @Test
  void anUnknownExtractionValueFailsEveryCallNamingPropertyValueAndChoices() throws Exception {
    probe(CLASSES, Map.of(), "-Dzircon4j.extraction=bogus")
        .assertFailedTwiceWith(
            "java.lang.IllegalStateException: zircon4j: system property zircon4j.extraction is"
                + " \"bogus\", which is not one of auto, directory (case does not matter). Fix or"
                + " remove -Dzircon4j.extraction.");
  }

  @Test
  void choicePropertiesIgnoreCaseAlike(@TempDir Path tmp) throws Exception {
    probe(
            CLASSES,
            Map.of(),
            "-Dzircon4j.leakDetection=TRACE",
            "-Dzircon4j.extraction=Directory",
            "-Djava.io.tmpdir=" + tmp)
        .assertWorkedVia(
            "host emulation bundled for "
                + PLATFORM
                + ", loaded through a private directory in "
                + tmp
                + " (removed once loaded)");
  }

  @Test
  void directoryExtractionIntoAMissingTmpdirSaysWhatToDo(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing");
    probe(CLASSES, Map.of(), "-Dzircon4j.extraction=directory", "-Djava.io.tmpdir=" + missing)
        .assertFailedTwiceWith(
            extractionFailure(
                "cannot create a private directory in java.io.tmpdir ("
                    + missing
                    + "): java.nio.file.NoSuchFileException: "
                    + missing
                    + "/zircon4j-<jvm>"));
  }

  @Test
  void directoryExtractionLeavesNothingBehind(@TempDir Path dir) throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Probe probe =
        probe(CLASSES, Map.of(), "-Dzircon4j.extraction=directory", "-Djava.io.tmpdir=" + tmp);
    probe.assertWorkedVia(
        "host emulation bundled for "
            + PLATFORM
            + ", loaded through a private directory in "
            + tmp
            + " (removed once loaded)");
    assertThat(probe.mappedZirconFiles())
        .singleElement()
        .asString()
        .matches(tmp + "/zircon4j-\\d+-\\d+-\\d+/libzircon\\.so \\(deleted\\)");
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void readOnlyTmpdirIsReported(@TempDir Path dir) throws Exception {
    Path mount = Files.createDirectory(dir.resolve("ro"));
    probeOnTmpfs("ro", mount)
        .assertFailedTwiceWith(
            extractionFailure(
                "cannot create a private directory in java.io.tmpdir ("
                    + mount
                    + "): java.nio.file.FileSystemException: "
                    + mount
                    + "/zircon4j-<jvm>: Read-only file system"));
  }

  @Test
  void fullTmpdirIsReported(@TempDir Path dir) throws Exception {
    Path mount = Files.createDirectory(dir.resolve("full"));
    probeOnTmpfs("size=4k", mount)
        .assertFailedTwiceWith(
            extractionFailure(
                "cannot write "
                    + mount
                    + "/zircon4j-<jvm>/libzircon.so: java.io.IOException: No space left on"
                    + " device"));
  }

  @Test
  void noexecTmpdirIsReported(@TempDir Path dir) throws Exception {
    Path mount = Files.createDirectory(dir.resolve("noexec"));
    probeOnTmpfs("noexec", mount)
        .assertFailedTwiceWith(
            extractionFailure(
                "cannot load "
                    + mount
                    + "/zircon4j-<jvm>/libzircon-anchor.so: libzircon.so: failed to map segment"
                    + " from shared object"));
  }

  @Test
  void staleDirectoriesOfDeadJvmsAreRemovedAndLiveOnesKept(@TempDir Path dir) throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    ProcessHandle self = ProcessHandle.current();
    long selfStart = ExtractionDirectory.startMillis(self);
    Path dead = staleDir(tmp, "zircon4j-" + finished.pid() + "-" + selfStart + "-1");
    Path reusedPid = staleDir(tmp, "zircon4j-" + self.pid() + "-" + (selfStart - 1000) + "-2");
    Path live = staleDir(tmp, "zircon4j-" + self.pid() + "-" + selfStart + "-3");
    Path oldFormat = staleDir(tmp, "zircon4j-123456789");
    Path notOurs = Files.createDirectory(tmp.resolve("zircon4j-1-1-with-subdir"));
    Files.createDirectory(notOurs.resolve("keep"));

    probe(CLASSES, Map.of(), "-Dzircon4j.extraction=directory", "-Djava.io.tmpdir=" + tmp)
        .assertWorkedVia(
            "host emulation bundled for "
                + PLATFORM
                + ", loaded through a private directory in "
                + tmp
                + " (removed once loaded)");
    assertThat(dead).doesNotExist();
    assertThat(reusedPid).doesNotExist();
    assertThat(live.resolve("libzircon.so")).exists();
    assertThat(oldFormat.resolve("libzircon.so")).exists();
    assertThat(notOurs.resolve("keep")).isDirectory();
  }

  private static Path staleDir(Path tmp, String name) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve(name));
    Files.write(dir.resolve("libzircon.so"), new byte[] {1, 2, 3});
    return dir;
  }

  private static String extractionFailure(String cause) {
    return "java.lang.UnsatisfiedLinkError: zircon4j: cannot find the zircon library"
        + " (libzircon.so, which provides the zx_* syscalls). Tried, in order:|  - "
        + TRIED_ALREADY_LOADED
        + "|  - libzircon.so on java.library.path [/nonexistent]: not found"
        + "|  - host emulation bundled for "
        + PLATFORM
        + ": in-memory file: not tried (-Dzircon4j.extraction=directory); "
        + cause
        + "|"
        + JAR_USER_ADVICE;
  }

  // ---- Running probes ------------------------------------------------------------------------

  /** What one probe JVM printed: its two results and the zircon files it had mapped. */
  private record Probe(List<String> results, List<String> mapsLines, String output) {
    void assertWorkedVia(String origin) {
      assertThat(results).as(output).hasSize(2);
      String expected = "ok 4096 42 42 via " + origin;
      assertThat(results).as(output).containsExactly(expected, expected);
    }

    void assertFailedTwiceWith(String message) {
      String normalized = "failed " + message;
      assertThat(results).as(output).hasSize(2);
      assertThat(results.get(1)).as("the same explanation every time").isEqualTo(results.get(0));
      assertThat(results.get(0).replaceAll("zircon4j-\\d+-\\d+-\\d+", "zircon4j-<jvm>"))
          .isEqualTo(normalized);
    }

    /** The distinct files that map a zircon library, as /proc/self/maps names them. */
    List<String> mappedZirconFiles() {
      return mapsLines.stream().map(line -> line.substring(line.indexOf('/'))).distinct().toList();
    }
  }

  private static Probe probe(Path classes, Map<String, String> env, String... jvmOptions)
      throws IOException, InterruptedException {
    return probe(classes, env, List.of(), jvmOptions);
  }

  private static Probe probe(
      Path classes, Map<String, String> env, List<String> probeArgs, String... jvmOptions)
      throws IOException, InterruptedException {
    List<String> options = new ArrayList<>();
    options.add("--enable-native-access=ALL-UNNAMED");
    options.add("-Djava.library.path=/nonexistent");
    options.addAll(Arrays.asList(jvmOptions));
    List<String> command = new ArrayList<>(javaCommand(classes, options));
    command.addAll(probeArgs);
    return run(List.of(), command, env);
  }

  private static Probe probeWithoutNativeAccess(Path classes, String... jvmOptions)
      throws IOException, InterruptedException {
    List<String> options = new ArrayList<>(Arrays.asList(jvmOptions));
    options.add("-Djava.library.path=/nonexistent");
    return run(List.of(), javaCommand(classes, options), Map.of());
  }

  /** Runs a probe whose java.io.tmpdir is a fresh tmpfs mounted with {@code options}. */
  private static Probe probeOnTmpfs(String options, Path mountPoint)
      throws IOException, InterruptedException {
    List<String> mount =
        List.of(
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tmpfs -o \"$1\" zircon4j-test \"$2\" && shift 2 && exec \"$@\"",
            "sh",
            options,
            mountPoint.toString());
    Process check =
        new ProcessBuilder(concat(mount, List.of("true"))).redirectErrorStream(true).start();
    String why = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(
        check.waitFor() == 0,
        "cannot mount a tmpfs in a private mount namespace (needs root or CAP_SYS_ADMIN): " + why);
    List<String> jvmOptions =
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-Djava.library.path=/nonexistent",
            "-Dzircon4j.extraction=directory",
            "-Djava.io.tmpdir=" + mountPoint);
    return run(mount, javaCommand(CLASSES, jvmOptions), Map.of());
  }

  private static List<String> javaCommand(Path classes, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classes + File.pathSeparator + TEST_CLASSES);
    command.add(LibraryLoadingProbe.class.getName());
    return command;
  }

  private static Probe run(List<String> prefix, List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(concat(prefix, command)).redirectErrorStream(true);
    builder.environment().remove("LD_PRELOAD");
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    List<String> results =
        output.lines().filter(l -> l.startsWith("ok ") || l.startsWith("failed ")).toList();
    List<String> maps =
        output.lines().filter(l -> l.startsWith("maps ")).map(l -> l.substring(5)).toList();
    return new Probe(results, maps, output);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** A copy of target/classes without the bundled libraries, as a JAR for another OS would be. */
  private static Path withoutBundledLibraries(Path dir) throws IOException {
    Path copy = dir.resolve("classes");
    try (Stream<Path> paths = Files.walk(CLASSES)) {
      for (Path path : paths.toList()) {
        Path relative = CLASSES.relativize(path);
        boolean bundled = false;
        for (Path part : relative) {
          bundled |= part.toString().equals("native");
        }
        if (bundled) {
          continue;
        }
        Path target = copy.resolve(relative.toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
    return copy;
  }
}
