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
   * Collects garbage until a collection lets the leak tracker release nothing more within half a
   * second, and returns the number released. Tests that count releases or compare handle slots call
   * it first, so that what earlier tests in this JVM dropped unclosed is released before their
   * baseline, not in the middle of their run.
   */
  static long releaseEarlierLeaks() throws InterruptedException {
    long released;
    long after = LeakTracker.releasedLeaks();
    do {
      released = after;
      System.gc();
      after = LeakTracker.awaitReleasedLeaks(released + 1, 500);
    } while (after > released);
    return released;
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
