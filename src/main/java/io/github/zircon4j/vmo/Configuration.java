package io.github.zircon4j.vmo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The {@code zircon4j.*} system properties that choose among fixed values, read once: {@value
 * #LEAK_DETECTION_PROPERTY} ({@code off}, {@code on}, {@code trace}; default {@code on}) and
 * {@value #EXTRACTION_PROPERTY} ({@code auto}, {@code directory}; default {@code auto}). Every one
 * is read the same way: surrounding blanks ignored, case ignored.
 *
 * <p>An unknown value is never thrown from a class initialiser (which would turn into {@code
 * ExceptionInInitializerError} once and {@code NoClassDefFoundError} for ever after): the default
 * is used for the field, and {@link #check()}, which {@link ZirconLibrary#ensureLoaded()} calls
 * first on every path into the library, throws the same explanation on every call.
 */
final class Configuration {
  static final String LEAK_DETECTION_PROPERTY = "zircon4j.leakDetection";
  static final String EXTRACTION_PROPERTY = "zircon4j.extraction";

  /** How the bundled host emulation is loaded (see {@link BundledHostLibrary}). */
  enum Extraction {
    /** An in-memory file (memfd) where allowed, else a private directory. */
    AUTO,
    /** Always a private directory under {@code java.io.tmpdir}. */
    DIRECTORY
  }

  /** What is wrong with the properties, or {@code null}; set before the values below. */
  private static String error;

  static final LeakTracker.Mode LEAK_DETECTION =
      choice(LEAK_DETECTION_PROPERTY, LeakTracker.Mode.class, LeakTracker.Mode.ON);

  static final Extraction EXTRACTION =
      choice(EXTRACTION_PROPERTY, Extraction.class, Extraction.AUTO);

  private static final String ERROR = error;

  private Configuration() {}

  /** Throws the explanation of the first unknown property value, on every call. */
  static void check() {
    if (ERROR != null) {
      throw new IllegalStateException(ERROR);
    }
  }

  private static <E extends Enum<E>> E choice(String property, Class<E> type, E fallback) {
    String value = System.getProperty(property);
    if (value == null) {
      return fallback;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value.strip())) {
        return constant;
      }
    }
    if (error == null) {
      error =
          "zircon4j: system property "
              + property
              + " is \""
              + value
              + "\", which is not one of "
              + Arrays.stream(type.getEnumConstants())
                  .map(c -> c.name().toLowerCase(Locale.ROOT))
                  .collect(Collectors.joining(", "))
              + " (case does not matter). Fix or remove -D"
              + property
              + ".";
    }
    return fallback;
  }
}
