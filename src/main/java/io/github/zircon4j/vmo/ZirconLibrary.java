package io.github.zircon4j.vmo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the {@code zx_*} symbols visible to the generated bindings before their first use.
 *
 * <p>The bindings resolve symbols through {@code SymbolLookup.loaderLookup()}, which sees every
 * library this module's class loader has loaded. So loading {@code libzircon.so} here, once, is all
 * the bindings need. Where it comes from, first match wins:
 *
 * <ol>
 *   <li>the absolute path in the system property {@value #PATH_PROPERTY};
 *   <li>{@code System.loadLibrary("zircon")}: on Fuchsia the vDSO every process has, elsewhere a
 *       {@code libzircon.so} on {@code java.library.path};
 *   <li>the host emulation bundled in this JAR for the running platform (see {@link
 *       BundledHostLibrary}).
 * </ol>
 *
 * <p>A failure is remembered: every later call fails with the same explanation.
 */
final class ZirconLibrary {
  static final String PATH_PROPERTY = "zircon4j.library";
  static final String LIBRARY_NAME = "zircon";

  private ZirconLibrary() {}

  /** Loads the library once; throws {@link UnsatisfiedLinkError} explaining what was tried. */
  static void ensureLoaded() {
    if (Holder.FAILURE != null) {
      var error = new UnsatisfiedLinkError(Holder.FAILURE.getMessage());
      error.initCause(Holder.FAILURE);
      throw error;
    }
  }

  /** Where the library was found, for diagnostics and the demo. */
  static String origin() {
    ensureLoaded();
    return Holder.origin;
  }

  private static final class Holder {
    static String origin;
    static final Throwable FAILURE = load();

    private static Throwable load() {
      List<String> tried = new ArrayList<>();
      String configured = System.getProperty(PATH_PROPERTY);
      if (configured != null && !configured.isBlank()) {
        return loadConfigured(configured.strip());
      }
      try {
        System.loadLibrary(LIBRARY_NAME);
        origin = "System.loadLibrary(\"" + LIBRARY_NAME + "\")";
        return null;
      } catch (UnsatisfiedLinkError e) {
        tried.add(
            System.mapLibraryName(LIBRARY_NAME)
                + " on java.library.path ["
                + System.getProperty("java.library.path", "")
                + "]: "
                + e.getMessage());
      }
      try {
        Path extracted = BundledHostLibrary.extract();
        if (extracted != null) {
          System.load(extracted.toString());
          BundledHostLibrary.loaded(extracted);
          origin = "host emulation bundled for " + BundledHostLibrary.platform();
          return null;
        }
        tried.add("no host emulation is bundled in this JAR for " + BundledHostLibrary.platform());
      } catch (RuntimeException | UnsatisfiedLinkError e) {
        tried.add("bundled host emulation for " + BundledHostLibrary.platform() + ": " + e);
      }
      return new UnsatisfiedLinkError(
          "zircon4j: cannot find the zircon library (lib"
              + LIBRARY_NAME
              + ".so, which provides the zx_* syscalls). Tried:\n  - "
              + String.join("\n  - ", tried)
              + "\nOn Fuchsia it is the vDSO. On Linux, build the host emulation with"
              + " `src/host/build-lib target/host` (or `mvn verify`) and run with -D"
              + PATH_PROPERTY
              + "=/absolute/path/to/libzircon.so, or put its directory on java.library.path.");
    }

    private static Throwable loadConfigured(String configured) {
      Path path = Path.of(configured);
      if (!path.isAbsolute()) {
        return new UnsatisfiedLinkError(
            "zircon4j: system property "
                + PATH_PROPERTY
                + " must be an absolute path to libzircon.so, but is '"
                + configured
                + "'");
      }
      if (!Files.isRegularFile(path)) {
        return new UnsatisfiedLinkError(
            "zircon4j: system property "
                + PATH_PROPERTY
                + " names "
                + path
                + ", which does not exist or is not a file. Build the host emulation with"
                + " `src/host/build-lib target/host` (or `mvn verify`), or unset the property.");
      }
      try {
        System.load(path.toString());
        origin = PATH_PROPERTY + "=" + path;
        return null;
      } catch (UnsatisfiedLinkError e) {
        return new UnsatisfiedLinkError(
            "zircon4j: cannot load " + path + " (from " + PATH_PROPERTY + "): " + e.getMessage());
      }
    }
  }
}
