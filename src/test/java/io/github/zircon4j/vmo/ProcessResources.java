package io.github.zircon4j.vmo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What this process holds, as Linux counts it: mappings and file descriptors. */
final class ProcessResources {
  private ProcessResources() {}

  static boolean available() {
    return Files.isReadable(Path.of("/proc/self/maps"))
        && Files.isDirectory(Path.of("/proc/self/fd"));
  }

  /** Lines of {@code /proc/self/maps}: one per mapping (adjacent equal ones merge). */
  static long mapsLines() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
      return lines.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Open file descriptors ({@code /proc/self/fd}; the host emulation keeps VMO pages in memfds).
   */
  static long openFds() {
    try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
      return entries.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Collects garbage until a collection releases no further leak (waiting up to a second each time
   * for the cleaner thread), so that resources dropped earlier are not released later.
   */
  static void releasePendingLeaks() throws InterruptedException {
    long released;
    do {
      released = LeakTracker.releasedLeaks();
      System.gc();
    } while (LeakTracker.awaitReleasedLeaks(released + 1, 1_000) > released);
  }

  /**
   * Collects garbage until the leak tracker has released at least {@code count} leaks in total (a
   * few rounds: a collection may find only part of them), and returns the number released.
   */
  static long collectUntilReleased(long count) throws InterruptedException {
    long released = LeakTracker.releasedLeaks();
    for (int round = 0; round < 10 && released < count; round++) {
      System.gc();
      released = LeakTracker.awaitReleasedLeaks(count, 5_000);
    }
    return released;
  }
}
