package io.github.zircon4j.vmo;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fallback when no in-memory file can be loaded: the bundled library is written into a new
 * directory under {@code java.io.tmpdir} that only this user can enter, loaded, and removed at once
 * (the mapping keeps the file's pages).
 *
 * <p>The library is loaded by name, not by path, through an anchor library beside it (it needs
 * {@code libzircon.so} and searches {@code $ORIGIN}): musl's {@code dlopen("libzircon.so")}, which
 * the bindings use, ignores {@code DT_SONAME} and finds an already loaded library only under the
 * name it was searched for, so a library loaded by its path would be invisible to it. glibc finds
 * it either way.
 *
 * <p>The directory's name records the owning JVM ({@code zircon4j-<pid>-<start ms>-<random>}), so
 * that a directory left behind by a JVM killed in that short window is recognised and removed by a
 * later one, and a live JVM's directory never is: a directory counts as stale only when no process
 * with that pid exists, or the process with that pid started at another time (the pid was reused).
 */
final class ExtractionDirectory {
  static final String PREFIX = "zircon4j-";
  private static final Pattern NAME = Pattern.compile("zircon4j-(\\d+)-(\\d+)-.*");

  private ExtractionDirectory() {}

  /** Why the library could not be extracted or loaded from the directory. */
  static final class Failed extends Exception {
    Failed(String message) {
      super(message);
    }
  }

  /**
   * Extracts {@code library} (and {@code anchor}, when not null) into a fresh private directory
   * under {@code tmp} and loads it; returns the library's handle.
   */
  static MemorySegment load(byte[] library, byte[] anchor, Path tmp, DynamicLinker linker)
      throws Failed {
    removeStale(tmp);
    Path dir;
    try {
      dir =
          Files.createTempDirectory(
              tmp,
              PREFIX
                  + ProcessHandle.current().pid()
                  + "-"
                  + startMillis(ProcessHandle.current())
                  + "-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException | UnsupportedOperationException e) {
      throw new Failed("cannot create a private directory in java.io.tmpdir (" + tmp + "): " + e);
    }
    Path file = dir.resolve(ZirconLibrary.SONAME);
    Path anchorFile = dir.resolve("libzircon-anchor.so");
    try {
      write(file, library);
      if (anchor == null) {
        return open(file, linker);
      }
      write(anchorFile, anchor);
      open(anchorFile, linker);
      MemorySegment handle = linker.openIfLoaded(ZirconLibrary.SONAME);
      if (handle == null) {
        throw new Failed("loading " + anchorFile + " did not load " + file + " by name");
      }
      return handle;
    } finally {
      deleteQuietly(anchorFile);
      deleteQuietly(file);
      deleteQuietly(dir);
    }
  }

  /** Writes {@code bytes} to a new file, then reads them back to catch any tampering. */
  private static void write(Path file, byte[] bytes) throws Failed {
    try {
      Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      if (!Arrays.equals(Files.readAllBytes(file), bytes)) {
        throw new Failed(file + " does not hold the bundled bytes after writing; not loading it");
      }
    } catch (FileAlreadyExistsException e) {
      throw new Failed("refusing to load " + file + ", which existed before this JVM wrote it");
    } catch (IOException e) {
      throw new Failed("cannot write " + file + ": " + e);
    }
  }

  private static MemorySegment open(Path file, DynamicLinker linker) throws Failed {
    DynamicLinker.Opened opened = linker.open(file.toString(), DynamicLinker.RTLD_NOW);
    if (!opened.ok()) {
      throw new Failed("cannot load " + file + ": " + opened.error());
    }
    // While the file still exists: the anchor's dependency (or the library itself) becomes
    // visible to the bindings' lookup.
    ZirconLibrary.exposeToBindings(file);
    return opened.handle();
  }

  /** Removes the {@code zircon4j-*} directories under {@code tmp} whose JVM is gone. */
  static void removeStale(Path tmp) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp, PREFIX + "*")) {
      for (Path dir : entries) {
        if (isStale(dir) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          removeFlat(dir);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Best effort: a missing or unreadable tmp dir is reported by the extraction itself.
    }
  }

  /** Whether {@code dir}'s name records a JVM that no longer runs. Unnamed formats never are. */
  static boolean isStale(Path dir) {
    Matcher name = NAME.matcher(dir.getFileName().toString());
    if (!name.matches()) {
      return false;
    }
    long pid;
    long started;
    try {
      pid = Long.parseLong(name.group(1));
      started = Long.parseLong(name.group(2));
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> owner = ProcessHandle.of(pid);
    if (owner.isEmpty()) {
      return true;
    }
    long ownerStarted = startMillis(owner.get());
    // Unknown start times (0) never make a live pid's directory stale.
    return started != 0 && ownerStarted != 0 && ownerStarted != started;
  }

  static long startMillis(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  /**
   * Deletes the regular files and links directly in {@code dir}, then {@code dir}; no recursion.
   */
  private static void removeFlat(Path dir) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          return; // Not a layout this class makes: leave it alone.
        }
        deleteQuietly(entry);
      }
    } catch (IOException e) {
      return;
    }
    deleteQuietly(dir);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (NoSuchFileException e) {
      // Another JVM removed it first.
    } catch (IOException e) {
      // Left for a later JVM's removeStale.
    }
  }
}
