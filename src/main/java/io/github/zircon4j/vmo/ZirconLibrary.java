package io.github.zircon4j.vmo;

import java.io.File;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes sure a zircon library is loaded before the generated bindings look their symbols up.
 *
 * <p>The bindings resolve every {@code zx_*} symbol in {@link SymbolLookup#loaderLookup()}: the
 * libraries {@code System.load}ed by their class loader (jextract.properties gives jextract no
 * {@code --library}, so the bindings' class initialiser opens nothing and cannot fail, whoever
 * touches it first). This class finds or loads one library, first match wins, and then {@link
 * #exposeToBindings exposes} it:
 *
 * <ol>
 *   <li>the absolute path in the system property {@value #PATH_PROPERTY};
 *   <li>a zircon library already in the process, asked for without loading any file ({@code
 *       RTLD_NOLOAD}): the vDSO on Fuchsia, an {@code LD_PRELOAD}ed emulation on Linux;
 *   <li>{@code libzircon.so} in a directory on {@code java.library.path};
 *   <li>on Linux only, the host emulation bundled in this JAR (see {@link BundledHostLibrary}).
 * </ol>
 *
 * <p>A library that loads but lacks a {@code zx_*} function the bindings declare is rejected,
 * naming the file and the first missing symbol. A failure is remembered: every later call fails
 * with the same explanation. So is an unknown value of a {@code zircon4j.*} property ({@link
 * Configuration}), checked before anything is loaded.
 */
final class ZirconLibrary {
  static final String PATH_PROPERTY = "zircon4j.library";
  static final String SONAME = "libzircon.so";
  static final String CLASS_PATH_FLAG = "--enable-native-access=ALL-UNNAMED";
  static final String MODULE_PATH_FLAG = "--enable-native-access=io.github.zircon4j.mappedvmo";
  private static final String BINDINGS = "io.github.zircon4j.zircon.Zircon";

  private ZirconLibrary() {}

  /** Loads the library once; throws the remembered explanation on every call after a failure. */
  static void ensureLoaded() {
    Configuration.check();
    Throwable failure = Holder.FAILURE;
    if (failure instanceof IllegalCallerException) {
      throw new IllegalCallerException(failure.getMessage(), failure);
    }
    if (failure != null) {
      var error = new UnsatisfiedLinkError(failure.getMessage());
      error.initCause(failure);
      throw error;
    }
  }

  /**
   * Makes the library just loaded from {@code file} visible to the bindings' {@link
   * SymbolLookup#loaderLookup()}: {@code System.load} from this class associates it with this class
   * loader, the bindings' own. {@code file} names the object already loaded (the same file, or an
   * anchor that depends on it), so the dynamic linker returns that copy and loads nothing new; its
   * symbols are found through the handle's dependencies.
   */
  static void exposeToBindings(Path file) {
    System.load(file.toAbsolutePath().toString());
  }

  /** Where the library was found, for diagnostics and the demo. */
  static String origin() {
    ensureLoaded();
    return Holder.origin;
  }

  /** The {@code zx_*} functions the generated bindings declare, sorted by name. */
  static List<String> requiredSymbols() {
    try {
      Class<?> bindings = Class.forName(BINDINGS, false, ZirconLibrary.class.getClassLoader());
      return Arrays.stream(bindings.getDeclaredMethods())
          .filter(m -> Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()))
          .map(Method::getName)
          .filter(name -> name.startsWith("zx_") && !name.contains("$"))
          .distinct()
          .sorted()
          .toList();
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("zircon4j: the generated bindings are missing", e);
    }
  }

  private static final class Holder {
    static String origin;
    static final Throwable FAILURE = load();

    private static Throwable load() {
      try {
        return new Resolution(DynamicLinker.bind()).run();
      } catch (IllegalCallerException e) {
        return nativeAccessDenied(e);
      } catch (RuntimeException | LinkageError e) {
        return new UnsatisfiedLinkError("zircon4j: loading the zircon library failed: " + e);
      }
    }
  }

  private static IllegalCallerException nativeAccessDenied(IllegalCallerException cause) {
    Module module = ZirconLibrary.class.getModule();
    String where =
        module.isNamed()
            ? "module " + module.getName() + " (on the module path)"
            : "the unnamed module (zircon4j is on the class path)";
    return new IllegalCallerException(
        "zircon4j: native access is denied to "
            + where
            + ", so the zircon library cannot be loaded or called ("
            + cause.getMessage()
            + "). Start the JVM with "
            + CLASS_PATH_FLAG
            + " when zircon4j is on the class path, or with "
            + MODULE_PATH_FLAG
            + " when it is on the module path (for Maven Surefire: in <argLine>).",
        cause);
  }

  /** One resolution attempt: the steps in order, and what each found. */
  private static final class Resolution {
    private final DynamicLinker linker;
    private final List<String> symbols = requiredSymbols();
    private final List<String> tried = new ArrayList<>();
    private String advice =
        "On Fuchsia the vDSO provides libzircon.so. Elsewhere, pass -D"
            + PATH_PROPERTY
            + "=/absolute/path/to/libzircon.so (the host emulation is built by"
            + " `make -C src/host lib OUT=DIR` from the zircon4j sources), or put a libzircon.so on"
            + " java.library.path.";

    Resolution(DynamicLinker linker) {
      this.linker = linker;
    }

    Throwable run() {
      String configured = System.getProperty(PATH_PROPERTY);
      if (configured != null && !configured.isBlank()) {
        return configured(configured.strip());
      }
      Throwable result;
      if ((result = alreadyLoaded()) != NOT_FOUND) {
        return result;
      }
      if ((result = onLibraryPath()) != NOT_FOUND) {
        return result;
      }
      if ((result = bundled()) != NOT_FOUND) {
        return result;
      }
      return new UnsatisfiedLinkError(
          "zircon4j: cannot find the zircon library ("
              + SONAME
              + ", which provides the zx_* syscalls). Tried, in order:\n  - "
              + String.join("\n  - ", tried)
              + "\n"
              + advice);
    }

    /** Marks a step that found nothing, so the next one runs. */
    private static final Throwable NOT_FOUND = new Throwable("this step found no library");

    private Throwable configured(String configured) {
      String from = " (from -D" + PATH_PROPERTY + ")";
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
                + " `make -C src/host lib OUT=DIR` (or `mvn verify`), or unset the property.");
      }
      DynamicLinker.Opened opened = linker.open(path.toString(), DynamicLinker.RTLD_NOW);
      if (!opened.ok()) {
        return new UnsatisfiedLinkError(
            "zircon4j: cannot load " + path + from + ": " + opened.error());
      }
      String missing = firstMissing(opened.handle());
      if (missing != null) {
        return notZircon(
            path + from,
            missing,
            "Point -D"
                + PATH_PROPERTY
                + " at a libzircon.so"
                + " built from src/host/c, or unset it.");
      }
      exposeToBindings(path);
      return adopt(opened.handle(), PATH_PROPERTY + "=" + path);
    }

    private Throwable alreadyLoaded() {
      String step = "already in the process (dlopen(\"" + SONAME + "\", RTLD_NOLOAD))";
      MemorySegment handle = linker.openIfLoaded(SONAME);
      if (handle == null) {
        tried.add(step + ": none loaded");
        return NOT_FOUND;
      }
      String file = linker.pathOf(handle);
      String missing = firstMissing(handle);
      if (missing != null) {
        // It would shadow any library loaded later: the bindings' dlopen("libzircon.so") finds it.
        return notZircon(
            file + ", loaded in this process as " + SONAME + ",",
            missing,
            "It would shadow any other libzircon.so: remove it from LD_PRELOAD (or whatever loads"
                + " it).");
      }
      if (file.startsWith("/") && Files.isRegularFile(Path.of(file))) {
        exposeToBindings(Path.of(file));
      }
      return adopt(handle, "already in the process: " + file);
    }

    private Throwable onLibraryPath() {
      String searchPath = System.getProperty("java.library.path", "");
      for (String dir : searchPath.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path file = Path.of(dir).resolve(SONAME).toAbsolutePath();
        if (!Files.isRegularFile(file)) {
          continue;
        }
        DynamicLinker.Opened opened = linker.open(file.toString(), DynamicLinker.RTLD_NOW);
        if (!opened.ok()) {
          tried.add(file + " on java.library.path: cannot load it: " + opened.error());
          continue;
        }
        String missing = firstMissing(opened.handle());
        if (missing != null) {
          tried.add(file + " on java.library.path: not a zircon library (lacks " + missing + ")");
          continue;
        }
        exposeToBindings(file);
        return adopt(opened.handle(), "java.library.path: " + file);
      }
      tried.add(SONAME + " on java.library.path [" + searchPath + "]: not found");
      return NOT_FOUND;
    }

    private Throwable bundled() {
      String step = "host emulation bundled for " + BundledHostLibrary.platform();
      if (!BundledHostLibrary.isLinux()) {
        tried.add(
            step
                + ": not used, the bundled host emulation is for Linux and os.name is "
                + System.getProperty("os.name"));
        return NOT_FOUND;
      }
      BundledHostLibrary.Loaded loaded;
      try {
        loaded = BundledHostLibrary.load(linker);
      } catch (BundledHostLibrary.Unusable e) {
        tried.add(step + ": " + e.getMessage());
        advice =
            "As a user of the zircon4j JAR: run with -Djava.io.tmpdir=<a writable directory on a"
                + " file system mounted with exec>, or with -D"
                + PATH_PROPERTY
                + "=/absolute/path/to/libzircon.so.";
        return NOT_FOUND;
      }
      if (loaded == null) {
        tried.add("no host emulation is bundled in this JAR for " + BundledHostLibrary.platform());
        return NOT_FOUND;
      }
      String missing = firstMissing(loaded.handle());
      if (missing != null) {
        return notZircon("the " + step, missing, "This JAR is broken: report it.");
      }
      return adopt(loaded.handle(), step + ", loaded " + loaded.how());
    }

    /**
     * Checks that the bindings' own lookup, {@code dlopen("libzircon.so")}, finds the library just
     * chosen and not some other one, then records where it came from.
     */
    private Throwable adopt(MemorySegment handle, String where) {
      MemorySegment bySoname = linker.openIfLoaded(SONAME);
      if (bySoname == null) {
        return new UnsatisfiedLinkError(
            "zircon4j: loaded "
                + linker.pathOf(handle)
                + " ("
                + where
                + "), but dlopen(\""
                + SONAME
                + "\") does not find it, so the bindings could not use it. glibc finds a loaded"
                + " library by its DT_SONAME, which must be "
                + SONAME
                + " (check with readelf -d); musl finds it only by the file name it was searched"
                + " under.");
      }
      String probe = symbols.get(0);
      if (!linker.symbol(bySoname, probe).equals(linker.symbol(handle, probe))) {
        return new UnsatisfiedLinkError(
            "zircon4j: loaded "
                + linker.pathOf(handle)
                + " ("
                + where
                + "), but dlopen(\""
                + SONAME
                + "\") finds another library, "
                + linker.pathOf(bySoname)
                + ", which the bindings would use instead. Load only one of them.");
      }
      if (SymbolLookup.loaderLookup().find(probe).isEmpty()) {
        return new UnsatisfiedLinkError(
            "zircon4j: loaded "
                + linker.pathOf(handle)
                + " ("
                + where
                + "), but could not hand it to the bindings, which look their symbols up in the"
                + " libraries System.load-ed by their class loader: it is not a file System.load"
                + " can open. Load it from a file (-D"
                + PATH_PROPERTY
                + "=/absolute/path/to/libzircon.so).");
      }
      Holder.origin = where;
      return null;
    }

    private String firstMissing(MemorySegment handle) {
      for (String symbol : symbols) {
        if (linker.symbol(handle, symbol).equals(MemorySegment.NULL)) {
          return symbol;
        }
      }
      return null;
    }

    private static UnsatisfiedLinkError notZircon(String what, String missing, String fix) {
      return new UnsatisfiedLinkError(
          "zircon4j: "
              + what
              + " is not a zircon library: it does not define "
              + missing
              + ", which the bindings call. "
              + fix);
    }
  }
}
