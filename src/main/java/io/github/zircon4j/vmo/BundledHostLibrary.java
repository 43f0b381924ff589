package io.github.zircon4j.vmo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The host emulation of zircon that ships inside the JAR, so that a project which only adds the
 * Maven dependency can run its tests on Linux. Never used on any other OS (on Fuchsia the vDSO is
 * the library, and nothing is ever extracted there).
 *
 * <p>It is loaded from a sealed in-memory file ({@link MemoryFile}), which leaves nothing on disk
 * and cannot be swapped; where that is refused, or asked for with {@value #EXTRACTION_PROPERTY}
 * {@code =directory}, from a private directory under {@code java.io.tmpdir} ({@link
 * ExtractionDirectory}).
 */
final class BundledHostLibrary {
  static final String EXTRACTION_PROPERTY = Configuration.EXTRACTION_PROPERTY;

  private BundledHostLibrary() {}

  /** The loaded library and how it got there. */
  record Loaded(MemorySegment handle, String how) {}

  /** Why the bundled library could not be loaded; the message says what was tried. */
  static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    Unusable(String message) {
      super(message);
    }
  }

  static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
  }

  /**
   * {@code linux-<arch>} for glibc, {@code linux-<arch>-musl} for musl: the folder name under
   * {@code native/}.
   */
  static String platform() {
    String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
    String archName =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch64";
          default -> arch;
        };
    if (!isLinux()) {
      return os.replace(' ', '_') + "-" + archName;
    }
    return "linux-" + archName + (HostLibc.current() == HostLibc.MUSL ? "-musl" : "");
  }

  static String resourceName(String platform) {
    return "native/" + platform + "/libzircon.so";
  }

  /**
   * The anchor library ({@code DT_NEEDED libzircon.so}, {@code DT_RUNPATH $ORIGIN}, no libc) that
   * makes the dynamic linker load {@code libzircon.so} by name; see {@link ExtractionDirectory}.
   * Any libc's build may use the plain {@code linux-<arch>} one.
   */
  static String anchorName(String platform) {
    String folder =
        BundledHostLibrary.class.getResource("native/" + platform + "/libzircon-anchor.so") != null
            ? platform
            : platform.replace("-musl", "");
    return "native/" + folder + "/libzircon-anchor.so";
  }

  /** Loads the bundled library for this platform, or returns {@code null} when none is bundled. */
  static Loaded load(DynamicLinker linker) throws Unusable {
    String platform = platform();
    byte[] library = readResource(resourceName(platform));
    if (library == null) {
      return null;
    }
    String memoryFileRefusal;
    if (Configuration.EXTRACTION == Configuration.Extraction.DIRECTORY) {
      memoryFileRefusal = "not tried (-D" + EXTRACTION_PROPERTY + "=directory)";
    } else if (platform.endsWith("-musl")) {
      // musl's dlopen("libzircon.so") matches loaded libraries by file name only, and a memfd's
      // name is /proc/self/fd/N.
      memoryFileRefusal = "not used on musl";
    } else {
      try {
        return new Loaded(MemoryFile.load(library, linker), "from an in-memory file (memfd)");
      } catch (MemoryFile.Refused e) {
        memoryFileRefusal = e.getMessage();
      }
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    byte[] anchor = readResource(anchorName(platform));
    try {
      return new Loaded(
          ExtractionDirectory.load(library, anchor, tmp, linker),
          "through a private directory in " + tmp + " (removed once loaded)");
    } catch (ExtractionDirectory.Failed e) {
      throw new Unusable("in-memory file: " + memoryFileRefusal + "; " + e.getMessage());
    }
  }

  private static byte[] readResource(String name) {
    try (InputStream in = BundledHostLibrary.class.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("zircon4j: cannot read bundled resource " + name, e);
    }
  }
}
