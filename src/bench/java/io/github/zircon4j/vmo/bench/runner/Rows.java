package io.github.zircon4j.vmo.bench.runner;

import static io.github.zircon4j.vmo.bench.runner.Report.INFO;
import static io.github.zircon4j.vmo.bench.runner.Report.Target.atLeast;
import static io.github.zircon4j.vmo.bench.runner.Report.Target.atMost;

import io.github.zircon4j.vmo.bench.runner.Report.Target;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What `mvn -Pbench verify` measures and reports. Adding a row: measure what it needs here (a JMH
 * benchmark in {@link #STEPS} with its C twin, a pair of C benchmarks in {@link #C_PAIRS}, or a
 * one-shot record), then add one line to {@link #report}. Row names are what summary.json and
 * docs/benchmarks.md use: keep them stable.
 */
final class Rows {
  private Rows() {}

  /**
   * JMH benchmarks (method names) run as single forks alternating with runs of their C twin, C,
   * fork, C, ..., C, so that every fork has C runs from just before and just after it. Benchmarks
   * listed together run in the same rounds (one fork each), so ratios between them compare forks
   * that saw the same load.
   */
  record Step(String cTwin, List<String> jmh) {
    static Step of(String cTwin, String... jmh) {
      return new Step(cTwin, List.of(jmh));
    }
  }

  static final List<Step> STEPS =
      List.of(
          Step.of("create_close_4k", "createClose4k"),
          Step.of("create_close_4k", "createCloseShared4k"),
          Step.of(
              "create_close_4k",
              "createClose4kLeakOff",
              "createClose4kLeakOn",
              "createClose4kLeakTrace"),
          Step.of("create_close_1g", "createClose1g"),
          Step.of("create_close_256m", "createClose256m"),
          Step.of("map_range_256m", "mapRange256m"),
          Step.of("copy_256m", "copy256m"),
          Step.of("read_256m", "read256m"),
          Step.of("get_size", "getSizeCritical", "getSizePlain"),
          Step.of("snapshot_after_write_4k", "snapshotAfterWrite4k"),
          Step.of("snapshot_after_write_256m", "snapshotAfterWrite256m"),
          Step.of("snapshot_writable_mapped_64m", "snapshotWritableMapped64m"),
          Step.of("cow_first_write_snapshot_mapped", "cowFirstWriteMapped"));

  /** C-only ratios: both C benchmarks alternate in rounds, so both see the same load. */
  static final List<List<String>> C_PAIRS =
      List.of(
          List.of("snapshot_after_write_256m", "snapshot_after_write_4k"),
          List.of("snapshot_writable_mapped_64m", "wp_floor_64m"),
          List.of("cow_first_write_snapshot", "cow_first_write_private"),
          List.of("cow_first_write_wp_floor", "cow_first_write_private"),
          List.of("snapshot_close_64k_live", "snapshot_close_1k_live"),
          List.of("close_one_256k_live", "close_one_1k_live"),
          List.of("map_fragmented_256m", "copy_floor_128m"),
          List.of("remap_fragmented_256m", "remap_flat_256m"),
          List.of("snapshot_writable_mapped_64m_unprivileged", "wp_floor_64m"),
          List.of("cow_first_write_snapshot_unprivileged", "cow_first_write_private"));

  /** One-shot C records (the baseline's -b NAME, no timing): numbers by key. */
  static final List<String> C_RECORDS =
      List.of("footprint", "cow_committed", "cow_committed_unprivileged");

  /**
   * C benchmarks run in another setting: NAME + suffix is the C benchmark NAME run with this
   * environment, its records named NAME + suffix. {@code _unprivileged}: the copy-on-write mode an
   * ordinary user gets (the eager copy: no full userfaultfd with vm.unprivileged_userfaultfd=0),
   * forced with the library's test switch.
   */
  static final Map<String, Map<String, String>> C_VARIANTS =
      Map.of("_unprivileged", Map.of("ZIRCON4J_HOST_UFFD_USER_MODE_ONLY", "1"));

  /**
   * Operations of {@code SafepointLatency} (src/jmh/java), each run once in its own JVM with {@code
   * -Xlog:safepoint}: record {@code ttsp_during_OP_512m} holds the longest time to safepoint
   * ({@code ms}) and the number of safepoints ({@code count}) seen while another thread did OP.
   */
  static final List<String> SAFEPOINT_OPS = List.of("read", "map_range");

  /** Java programs (in src/jmh/java) run once in their own JVM; each prints one JSON object. */
  static final Map<String, String> JAVA_PROBES =
      Map.of("footprint_java", "io.github.zircon4j.vmo.bench.SnapshotFootprint");

  /** The table and summary.json, row by row. */
  static void report(Report r) {
    Measurements m = r.measurements();
    for (String op : SAFEPOINT_OPS) {
      Map<String, Double> ttsp = m.record("ttsp_during_" + op + "_512m");
      if (!ttsp.isEmpty()) {
        r.millis(
            "ttsp_during_" + op + "_512m_ms",
            atMost("5"),
            ttsp.get("ms"),
            String.format(Locale.ROOT, "%.0f safepoints", ttsp.get("count")),
            "longest time to safepoint (-Xlog:safepoint) while another thread loops "
                + (op.equals("read")
                    ? "Vmo.read of 512 MiB into a byte[]"
                    : "ImmutableMapping.create(vmo, SHARED, PAGE_IMMEDIATELY)+close of 512 MiB"));
      }
    }
    r.javaOverC(
        "create_close_4k_java_over_c",
        atMost("1.10"),
        "createClose4k",
        "create_close_4k",
        "ImmutableMapping.create+close, 1 page vs the 5 syscalls in C");
    r.javaOverC(
        "create_close_4k_shared_java_over_c",
        Target.none("(none)"),
        "createCloseShared4k",
        "create_close_4k",
        "createShared+close (close = JVM-wide handshake) vs C");
    r.javaOverJava(
        "create_close_4k_leak_on_over_off",
        atMost("1.05"),
        "createClose4kLeakOn",
        "createClose4kLeakOff",
        "create+close, -Dzircon4j.leakDetection=on vs off");
    r.javaOverJava(
        "create_close_4k_leak_trace_over_off",
        Target.none("(none)"),
        "createClose4kLeakTrace",
        "createClose4kLeakOff",
        "create+close, leakDetection=trace (a stack per create) vs off");
    r.javaOverC(
        "create_close_4k_leak_off_java_over_c",
        INFO,
        "createClose4kLeakOff",
        "create_close_4k",
        "create+close with leakDetection=off (leaks still released) vs C");
    r.javaOverC(
        "read_256m_c_over_java",
        atMost("1.05"),
        "read256m",
        "read_256m",
        "time to sum the mapped 256 MiB as longs: Java segment() vs C pointer");
    r.ratio(
        "create_close_1g_over_4k",
        atMost("3"),
        r.java("1g", "createClose1g"),
        r.java("4k", "createClose4k"),
        "Java, lazy: never-written 1 GiB VMO vs 1 page");
    r.ratio(
        "copy_over_map_256m",
        atLeast("50"),
        r.java("copy", "copy256m"),
        r.java("map", "createClose256m"),
        "Java: Vmo.read of 256 MiB into a byte[] vs lazy create+close");
    r.javaOverC(
        "map_range_256m_java_over_c",
        atMost("1.10"),
        "mapRange256m",
        "map_range_256m",
        "create(vmo, true)+close (ZX_VM_MAP_RANGE), 256 MiB with data");
    snapshotCommittedBytes(r, m.record("footprint_java"), m.record("footprint"));

    // A writer's snapshots: the cost follows the pages written, not the VMO's size.
    r.ratio(
        "snapshot_after_write_256m_over_4k",
        atMost("3"),
        r.c("256m", "snapshot_after_write_256m"),
        r.c("4k", "snapshot_after_write_4k"),
        "C: write one page, snapshot, map, unmap; fully written 256 MiB vs 4 KiB VMO");
    r.ratio(
        "snapshot_writable_mapped_64m_over_wp_floor",
        atMost("3"),
        r.c("snapshot", "snapshot_writable_mapped_64m"),
        r.c("floor", "wp_floor_64m"),
        "C: store a page through a live PERM_WRITE mapping, snapshot, map, unmap (64 MiB"
            + " written) vs mprotect RO then RW of a populated 64 MiB shared mapping");
    Map<String, Double> cow = m.record("cow_committed");
    double snapshotPages = cow.getOrDefault("snapshot_pages", Double.NaN);
    double writtenPages = cow.getOrDefault("after_8_writes_pages", Double.NaN);
    r.put("snapshot_writable_mapped_committed_pages_after_8_writes", writtenPages);
    r.count(
        "snapshot_writable_mapped_committed_pages",
        atMost("0"),
        snapshotPages,
        String.format(Locale.ROOT, "8 page stores afterwards: %+.0f pages", writtenPages),
        "C: pages committed (parent + snapshot) by snapshotting a written 64 MiB VMO with a live"
            + " writable mapping");
    r.ratio(
        "snapshot_after_write_256m_over_4k_java",
        atMost("3"),
        r.java("256m", "snapshotAfterWrite256m"),
        r.java("4k", "snapshotAfterWrite4k"),
        "Java: Vmo.write of one page, then ImmutableMapping.create+close; 256 MiB vs 4 KiB");
    r.ratio(
        "snapshot_writable_mapped_64m_over_wp_floor_java",
        atMost("3"),
        r.java("snapshot", "snapshotWritableMapped64m"),
        r.c("floor", "wp_floor_64m"),
        "Java: a store through a live Mapping, then ImmutableMapping.create+close (64 MiB"
            + " written) vs the C mprotect floor");
    r.javaOverC(
        "snapshot_writable_mapped_64m_java_over_c",
        INFO,
        "snapshotWritableMapped64m",
        "snapshot_writable_mapped_64m",
        "store through Mapping + snapshot + map + unmap, Java vs C");
    r.ratio(
        "cow_first_write_per_page_over_linux_private_cow",
        atMost("5"),
        r.c("cow", "cow_first_write_snapshot"),
        r.c("private", "cow_first_write_private"),
        "C: first store to a page through the writer's mapping after a snapshot vs first store"
            + " to a read MAP_PRIVATE page of a memfd (report)");
    // The same in the eager-copy mode an ordinary user gets: the snapshot copies the written
    // pages, and a first store then copies nothing.
    r.ratio(
        "snapshot_writable_mapped_64m_over_wp_floor_unprivileged",
        INFO,
        r.c("snapshot", "snapshot_writable_mapped_64m_unprivileged"),
        r.c("floor", "wp_floor_64m"),
        "C, eager-copy mode (no full userfaultfd): the same cycle, which copies the 64 MiB"
            + " mapped, vs the same floor");
    r.ratio(
        "cow_first_write_per_page_over_linux_private_cow_unprivileged",
        INFO,
        r.c("cow", "cow_first_write_snapshot_unprivileged"),
        r.c("private", "cow_first_write_private"),
        "C, eager-copy mode: the first store per page after a snapshot (already copied)");
    Map<String, Double> cowEager = m.record("cow_committed_unprivileged");
    r.count(
        "snapshot_writable_mapped_committed_pages_unprivileged",
        INFO,
        cowEager.getOrDefault("snapshot_pages", Double.NaN),
        String.format(
            Locale.ROOT,
            "8 page stores afterwards: %+.0f pages",
            cowEager.getOrDefault("after_8_writes_pages", Double.NaN)),
        "C, eager-copy mode: pages committed by the same snapshot");
    r.ratio(
        "cow_first_write_mapped_over_linux_private_cow",
        INFO,
        r.c("cow", "cow_first_write_snapshot_mapped"),
        r.c("private", "cow_first_write_private"),
        "C: the same with the snapshot mapped by a reader meanwhile (its page moves to the"
            + " snapshot's copy too)");
    r.javaOverC(
        "cow_first_write_mapped_java_over_c",
        INFO,
        "cowFirstWriteMapped",
        "cow_first_write_snapshot_mapped",
        "first store per page through a Mapping while an ImmutableMapping holds the snapshot");
    r.ratio(
        "cow_first_write_wp_floor_over_linux_private_cow",
        INFO,
        r.c("floor", "cow_first_write_wp_floor"),
        r.c("private", "cow_first_write_private"),
        "C: the same first store to a write-protected page, resolved by a handler thread that"
            + " only lifts the protection (no copy), vs the kernel's copy-on-write: the floor of"
            + " any user-space fault handler here");
    r.ratio(
        "cow_first_write_over_wp_floor",
        INFO,
        r.c("cow", "cow_first_write_snapshot"),
        r.c("floor", "cow_first_write_wp_floor"),
        "C: what the emulation adds to that floor (the copy of the page, the lookups)");

    // Costs that must not grow with unrelated objects or with the write history.
    r.ratio(
        "snapshot_close_64k_live_over_1k_live",
        atMost("1.5"),
        r.c("64k", "snapshot_close_64k_live"),
        r.c("1k", "snapshot_close_1k_live"),
        "C: snapshot of a written 1-page VMO + close, 64,000 vs 1,000 other VMOs alive");
    r.ratio(
        "close_each_of_256k_over_1k",
        atMost("1.5"),
        r.c("256k", "close_one_256k_live"),
        r.c("1k", "close_one_1k_live"),
        "C: create + close of one VMO, 256,000 vs 1,000 other VMOs alive");
    r.ratio(
        "map_fragmented_256m_over_copy_floor",
        atMost("2"),
        r.c("map", "map_fragmented_256m"),
        r.c("memcpy", "copy_floor_128m"),
        "C: first map+unmap of a snapshot whose pages alternate between two layers (256 MiB,"
            + " every other page rewritten) vs a memcpy of the 128 MiB that differ");
    r.ratio(
        "remap_fragmented_256m_over_flat",
        atMost("3"),
        r.c("fragmented", "remap_fragmented_256m"),
        r.c("flat", "remap_flat_256m"),
        "C: mapping that snapshot again vs mapping a never-rewritten 256 MiB snapshot");

    // Context: the same ratios in C, the read throughput, and what one downcall costs.
    r.ratio(
        "create_close_1g_over_4k_c",
        INFO,
        r.c("1g", "create_close_1g"),
        r.c("4k", "create_close_4k"),
        "the same in C");
    r.ratio(
        "copy_over_map_256m_c",
        INFO,
        r.c("copy", "copy_256m"),
        r.c("map", "create_close_256m"),
        "the same in C");
    r.javaOverC(
        "create_close_256m_java_over_c",
        INFO,
        "createClose256m",
        "create_close_256m",
        "lazy create+close, 256 MiB with data");
    r.javaOverC("copy_256m_java_over_c", INFO, "copy256m", "copy_256m", "zx_vmo_read of 256 MiB");
    r.put("read_256m_java_gib_per_s", gibPerSecond(m.java("read256m").value()));
    r.put("read_256m_c_gib_per_s", gibPerSecond(m.c("read_256m").value()));
    r.ratio(
        "downcall_plain_over_critical",
        INFO,
        r.java("plain", "getSizePlain"),
        r.java("critical", "getSizeCritical"),
        "one zx_vmo_get_size: ordinary downcall vs Linker.Option.critical(false)");
    r.put("downcall_get_size_c_ns", m.c("get_size"));
    r.put("create_close_4k_java_alloc_bytes_per_op", m.allocBytesPerOp("createClose4k"));
    r.put(
        "create_close_4k_shared_java_alloc_bytes_per_op", m.allocBytesPerOp("createCloseShared4k"));

    r.note(
        "allocation per create+close (JMH -prof gc): %.0f B confined, %.0f B shared",
        r.get("create_close_4k_java_alloc_bytes_per_op"),
        r.get("create_close_4k_shared_java_alloc_bytes_per_op"));
    r.note(
        "read throughput: Java %.2f GiB/s, C %.2f GiB/s",
        r.get("read_256m_java_gib_per_s"), r.get("read_256m_c_gib_per_s"));
    r.note(
        "one zx_vmo_get_size: critical %.1f ns, plain %.1f ns, C %.1f ns",
        r.get("downcall_plain_over_critical_critical_ns"),
        r.get("downcall_plain_over_critical_plain_ns"),
        r.get("downcall_get_size_c_ns"));
  }

  /**
   * Bytes newly committed by snapshotting and lazily mapping an unmodified 256 MiB VMO: the largest
   * committed_bytes growth that the Java probe (the parent) and the C baseline (parent + child)
   * saw, for a VMO with data (first and later snapshots) and a never-written one.
   */
  private static void snapshotCommittedBytes(
      Report r, Map<String, Double> javaProbe, Map<String, Double> c) {
    double committed = 0;
    for (var side : List.of(javaProbe, c)) {
      for (var e : side.entrySet()) {
        if (e.getKey().endsWith("_committed_delta")) {
          committed = Math.max(committed, Math.abs(e.getValue()));
        }
      }
    }
    javaProbe.forEach((k, v) -> r.put("snapshot_256m_java_" + k, v));
    c.forEach((k, v) -> r.put("snapshot_256m_c_" + k, v));
    r.count(
        "snapshot_committed_bytes_256m",
        atMost("0"),
        committed,
        String.format(
            Locale.ROOT,
            "rss %+.0f B, shmem %+.0f B (Java, data VMO)",
            javaProbe.getOrDefault("data_rss_delta", Double.NaN),
            javaProbe.getOrDefault("data_shmem_delta", Double.NaN)),
        "max committed_bytes growth (Java parent; C parent+child), data and fresh VMO");
  }

  static double gibPerSecond(double nsFor256m) {
    return 0.25 / (nsFor256m / 1e9);
  }
}
