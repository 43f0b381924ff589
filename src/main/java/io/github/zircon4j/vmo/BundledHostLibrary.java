package io.github.zircon4j.vmo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The host emulation of zircon that ships inside the JAR, so that a project which only adds the
 * Maven dependency can run its tests on Linux.
 *
 * <p>Extraction is safe against other JVMs doing the same and against a file planted in advance:
 * each JVM writes into its own new directory (random name, owner-only permissions, created
 * atomically), the file is created exclusively, its bytes are read back and compared with the
 * resource before it is loaded, and both are deleted as soon as {@code dlopen} has mapped the
 * library (Linux keeps an unlinked mapped file alive).
 */
final class BundledHostLibrary {
  private BundledHostLibrary() {}

  /** {@code <os>-<arch>}, e.g. {@code linux-x86_64}: the folder name under {@code native/}. */
  static String platform() {
    String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
    String osName = os.startsWith("linux") ? "linux" : os.replace(' ', '_');
    String archName =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch64";
          default -> arch;
        };
    return osName + "-" + archName;
  }

  static String resourceName(String platform) {
    return "native/" + platform + "/libzircon.so";
  }

  /**
   * Extracts the bundled library for this platform and returns its path, or {@code null} when the
   * JAR has none for it. The caller loads it; {@link #loaded} then removes the file.
   */
  static Path extract() {
    byte[] library = readResource(resourceName(platform()));
    if (library == null) {
      return null;
    }
    try {
      Path dir =
          Files.createTempDirectory(
              "zircon4j-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path file = dir.resolve("libzircon.so");
      Files.write(file, library, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r-x------"));
      if (!Arrays.equals(sha256(Files.readAllBytes(file)), sha256(library))) {
        throw new IllegalStateException(
            "zircon4j: extracted " + file + " does not match the bundled library; not loading it");
      }
      dir.toFile().deleteOnExit();
      file.toFile().deleteOnExit();
      return file;
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException(
          "zircon4j: refusing to load a pre-existing " + e.getFile(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("zircon4j: cannot extract the bundled host emulation", e);
    }
  }

  /** Removes the extracted copy once it is mapped; best effort (deleteOnExit is the backstop). */
  static void loaded(Path file) {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.getParent());
    } catch (IOException ignored) {
      // deleteOnExit removes it later.
    }
  }

  private static byte[] readResource(String name) {
    try (InputStream in = BundledHostLibrary.class.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("zircon4j: cannot read bundled resource " + name, e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
