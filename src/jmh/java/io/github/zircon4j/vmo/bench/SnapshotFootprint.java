package io.github.zircon4j.vmo.bench;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.Vmo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures the memory that snapshotting and mapping an unmodified 256 MiB VMO (lazily) newly
 * commits, and prints it as one JSON object on a line. Run by {@code src/bench/RunBench.java} in
 * its own JVM.
 *
 * <p>Two VMOs: one with every page written ("data"), one never written ("fresh"). For each: {@code
 * committed_bytes} of the parent before and while the mapping is alive (the child's handle is
 * closed by {@code create}, so the child is not reachable from Java; the C baseline adds the
 * child's own), the process RSS delta, and the host's tmpfs ({@code Shmem} in /proc/meminfo) delta,
 * which catches any page the emulation copies into a new memfd.
 */
public final class SnapshotFootprint {
  private SnapshotFootprint() {}

  public static void main(String[] args) throws IOException {
    long size = BenchVmos.SIZE_256M;
    StringBuilder json = new StringBuilder("{");
    try (Vmo data = BenchVmos.filled(size);
        Vmo fresh = Vmo.create(size)) {
      // One snapshot first: on a VMO with data the first snapshot freezes its pages into a shared
      // layer (no copy); measure the steady state after that as well as the first.
      measure(json, "data_first", data);
      measure(json, "data", data);
      measure(json, "fresh", fresh);
    }
    json.setLength(json.length() - 1);
    System.out.println(json.append('}'));
  }

  private static void measure(StringBuilder json, String name, Vmo vmo) throws IOException {
    System.gc();
    long committedBefore = BenchVmos.committedBytes(vmo);
    long rssBefore = rssBytes();
    long shmemBefore = shmemBytes();
    long committedDuring;
    long rssDuring;
    long shmemDuring;
    try (ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
      committedDuring = BenchVmos.committedBytes(vmo);
      rssDuring = rssBytes();
      shmemDuring = shmemBytes();
      if (mapping.size() != vmo.size()) {
        throw new IllegalStateException("mapping size " + mapping.size());
      }
    }
    json.append(field(name + "_committed_before", committedBefore))
        .append(field(name + "_committed_delta", committedDuring - committedBefore))
        .append(field(name + "_rss_delta", rssDuring - rssBefore))
        .append(field(name + "_shmem_delta", shmemDuring - shmemBefore));
  }

  private static String field(String key, long value) {
    return "\"" + key + "\":" + value + ",";
  }

  /** Resident set size from /proc/self/statm (pages), or -1 off Linux. */
  private static long rssBytes() throws IOException {
    Path statm = Path.of("/proc/self/statm");
    if (!Files.isReadable(statm)) {
      return -1;
    }
    String[] fields = Files.readString(statm).trim().split("\\s+");
    return Long.parseLong(fields[1]) * BenchVmos.pageSize();
  }

  /** The host's Shmem (tmpfs and memfd pages) from /proc/meminfo, or -1 off Linux. */
  private static long shmemBytes() throws IOException {
    Path meminfo = Path.of("/proc/meminfo");
    if (!Files.isReadable(meminfo)) {
      return -1;
    }
    for (String line : Files.readAllLines(meminfo)) {
      if (line.startsWith("Shmem:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
