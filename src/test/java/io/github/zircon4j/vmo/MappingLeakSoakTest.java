package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.zircon4j.zircon.Zircon;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Creates and closes mappings many times (mixed sizes, both paging modes, confined, shared, arena
 * and range mappings, and some that fail on purpose: a handle without {@code ZX_RIGHT_READ}, one
 * without {@code ZX_RIGHT_MAP} so that mapping fails after the child exists, and a range beyond the
 * size) and checks that everything comes back to its baseline: address-space mappings ({@code
 * /proc/self/maps}), file descriptors ({@code /proc/self/fd}; the host emulation keeps each VMO's
 * pages in memfds, so a leaked VMO shows there), the parents' committed bytes, children and
 * mappings ({@code ZX_INFO_VMO}, {@code ZX_VMO_ZERO_CHILDREN}: a leaked child handle or mapping
 * keeps a child alive), RSS ({@code /proc/self/statm}, with a tolerance for the Java heap), and the
 * handle table (a probe of many duplicates must not need new slots: see {@link #handleProbe}).
 *
 * <p>{@value #CI_CYCLES} cycles in CI, {@value #STRESS_CYCLES} with {@code zircon4j.stress=true}.
 * The figures are printed (before and after). The {@code /proc} figures are Linux-only, so the
 * class is skipped where {@code /proc/self} does not exist (Fuchsia).
 */
class MappingLeakSoakTest {
  static final int CI_CYCLES = 20_000;
  static final int STRESS_CYCLES = 1_000_000;

  /**
   * RSS beyond the committed Java heap grows by 12-25 MiB over the CI run as the JVM warms up (JIT,
   * metaspace); a leaked page per cycle would add 80 MiB in CI and 4 GiB in stress mode.
   */
  private static final long RSS_TOLERANCE = 64L << 20;

  /**
   * The JVM maps memory of its own now and then (code heap, thread stacks of compiler threads):
   * over 10^6 cycles a couple of such lines appeared. A leak of one mapping per cycle would add
   * thousands; leaked mappings also show in num_mappings, which must be exactly 0.
   */
  private static final int MAPS_TOLERANCE = 8;

  private static final int PROBE_HANDLES = 1 << 15;

  static {
    ZirconLibrary.ensureLoaded();
  }

  private static final long PAGE = ZxTestSupport.pageSize();

  record Figures(
      long maps,
      long vmoMaps,
      long fds,
      long rssBytes,
      long jvmCommittedBytes,
      long committedBytes,
      long children,
      long mappings,
      boolean zeroChildren,
      int probeMaxSlot) {}

  @Test
  void createCloseCyclesLeaveNoResourceBehind() throws IOException, InterruptedException {
    assumeTrue(
        Files.isReadable(Path.of("/proc/self/statm"))
            && Files.isDirectory(Path.of("/proc/self/fd")),
        "needs Linux /proc/self (the zircon-level checks run in the other tests)");
    int cycles = Boolean.getBoolean("zircon4j.stress") ? STRESS_CYCLES : CI_CYCLES;
    // What earlier tests dropped unclosed is released now: a handle the cleaner closed in the
    // middle of the run would join the free list and change which slots the probe gets.
    ProcessResources.releaseEarlierLeaks();
    List<Vmo> parents = new ArrayList<>();
    long[] sizes = {0, PAGE, 3 * PAGE + 100, 16 * PAGE};
    for (long size : sizes) {
      Vmo vmo = Vmo.create(size);
      if (size > 0) {
        vmo.write(ZxTestSupport.pattern((int) size, (int) size), 0);
      }
      parents.add(vmo);
    }
    Vmo resizable = Vmo.create(2 * PAGE, VmoOption.RESIZABLE);
    resizable.write(ZxTestSupport.pattern((int) (2 * PAGE), 5), 0);
    parents.add(resizable);
    Vmo source = parents.get(2);
    int rights = ZxTestSupport.rightsOf(source.handle());
    try (Vmo noRead = source.duplicate(ZxRights.fromBits(rights & ~Zircon.ZX_RIGHT_READ()));
        Vmo noMap = source.duplicate(ZxRights.fromBits(rights & ~Zircon.ZX_RIGHT_MAP()))) {
      try {
        // Warm up: JIT, class initialisation, thread-locals, the handle table's free list and the
        // probe's own slots, so the baseline is the steady state.
        runCycles(parents, noRead, noMap, Math.min(cycles, 5_000), 1);
        handleProbe();
        Figures before = figures(parents);
        long start = System.nanoTime();
        runCycles(parents, noRead, noMap, cycles, 2);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        Figures after = figures(parents);
        System.out.printf(
            "MappingLeakSoakTest: %,d create/close cycles in %,d ms%n  before: %s%n  after:  %s%n",
            cycles, elapsedMs, before, after);

        assertThat(after.zeroChildren()).as("ZX_VMO_ZERO_CHILDREN on every parent").isTrue();
        assertThat(after.children()).as("ZX_INFO_VMO num_children, all parents").isZero();
        assertThat(after.mappings()).as("ZX_INFO_VMO num_mappings, all parents").isZero();
        assertThat(after.committedBytes())
            .as("committed bytes of the parents")
            .isEqualTo(before.committedBytes());
        assertThat(after.fds()).as("open file descriptors").isEqualTo(before.fds());
        assertThat(after.vmoMaps())
            .as("lines of /proc/self/maps that map a VMO's memfd")
            .isLessThanOrEqualTo(before.vmoMaps());
        assertThat(after.maps())
            .as("lines of /proc/self/maps (tolerance %d for the JVM's own)", MAPS_TOLERANCE)
            .isLessThanOrEqualTo(before.maps() + MAPS_TOLERANCE);
        // The Java heap may grow (G1 keeps what it committed): RSS beyond the committed heap is
        // what native leaks (pages, mappings) would show in.
        assertThat(after.rssBytes() - after.jvmCommittedBytes())
            .as("RSS minus the committed Java heap (tolerance %d MiB)", RSS_TOLERANCE >> 20)
            .isLessThanOrEqualTo(before.rssBytes() - before.jvmCommittedBytes() + RSS_TOLERANCE);
        assertThat(after.probeMaxSlot())
            .as("highest handle slot a probe of %d duplicates needs", PROBE_HANDLES)
            .isLessThanOrEqualTo(before.probeMaxSlot());
      } finally {
        parents.forEach(Vmo::close);
      }
    }
  }

  /**
   * Snapshots that overlap (the next is taken before the previous is closed) of a VMO written
   * between them: each snapshot of a written VMO needs its own copy of the old pages, but only
   * while a snapshot that shows them lives. So memory and descriptors stay bounded however many
   * snapshots were taken, and return to the baseline at the end. (The emulation used to keep one
   * memfd and one page per snapshot ever taken, until it ran out of descriptors: NO_MEMORY.)
   */
  @Test
  void overlappingSnapshotsOfAVmoWrittenBetweenThemStayBounded() throws IOException {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc/self/fd");
    int cycles = Boolean.getBoolean("zircon4j.stress") ? STRESS_CYCLES / 10 : CI_CYCLES / 4;
    long size = 4 * PAGE;
    try (Vmo vmo = Vmo.create(size)) {
      vmo.write(ZxTestSupport.pattern((int) size, 3), 0);
      long fdsBefore = openFds();
      long committedBefore = ZxTestSupport.vmoInfo(vmo.handle()).committedBytes();
      java.util.ArrayDeque<ImmutableMapping> live = new java.util.ArrayDeque<>();
      long fdsEarly = 0;
      long peakFds = 0;
      for (int i = 0; i < cycles; i++) {
        vmo.write(new byte[] {(byte) i}, (i % 4) * PAGE + i % 97);
        live.add(ImmutableMapping.create(vmo, Paging.of(i % 2 == 0)));
        if (live.size() > 2) {
          live.removeFirst().close();
        }
        if (i == 100) {
          fdsEarly = openFds();
        }
        if (i % 100 == 0) {
          peakFds = Math.max(peakFds, openFds());
        }
      }
      live.forEach(ImmutableMapping::close);
      long fdsAfter = openFds();
      long committedAfter = ZxTestSupport.vmoInfo(vmo.handle()).committedBytes();
      System.out.printf(
          "MappingLeakSoakTest: %,d overlapping snapshots: fds %d -> %d (at cycle 100: %d, peak"
              + " %d), committed bytes %d -> %d%n",
          cycles, fdsBefore, fdsAfter, fdsEarly, peakFds, committedBefore, committedAfter);
      // Two live snapshots: a logarithmic chain of frozen layers at most (a few dozen fds).
      assertThat(peakFds).as("open descriptors while snapshots overlap").isLessThan(fdsEarly + 32);
      assertThat(fdsAfter).as("open descriptors at the end").isEqualTo(fdsBefore);
      assertThat(committedAfter).as("committed bytes at the end").isEqualTo(committedBefore);
      assertThat(ZxTestSupport.hasZeroChildren(vmo.handle())).isTrue();
    }
  }

  private static long openFds() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
      return entries.count();
    }
  }

  /** One cycle per iteration; the kind of cycle and its paging mode come from a seeded random. */
  private static void runCycles(List<Vmo> parents, Vmo noRead, Vmo noMap, int cycles, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < cycles; i++) {
      Vmo vmo = parents.get(random.nextInt(parents.size()));
      boolean immediately = random.nextBoolean();
      int kind = random.nextInt(32);
      if (kind < 14) {
        try (ImmutableMapping mapping = ImmutableMapping.create(vmo, Paging.of(immediately))) {
          touch(mapping.segment());
        }
      } else if (kind < 16) {
        // Shared: its close is a JVM-wide handshake, so fewer of them.
        try (ImmutableMapping mapping = ImmutableMapping.create(vmo, Paging.shared(immediately))) {
          touch(mapping.segment());
        }
      } else if (kind < 22) {
        try (Arena arena = Arena.ofConfined()) {
          touch(ImmutableMapping.map(vmo, 0, vmo.size(), arena, Paging.of(immediately)));
        }
      } else if (kind < 27) {
        long size = vmo.size();
        long pages = size / PAGE;
        long offset = pages == 0 ? 0 : random.nextLong(pages) * PAGE;
        long length = random.nextLong(size - offset + 1);
        try (ImmutableMapping mapping =
            ImmutableMapping.create(vmo, offset, length, Paging.of(immediately))) {
          touch(mapping.segment());
        }
      } else if (kind < 29) {
        assertThatThrownBy(() -> ImmutableMapping.create(noRead, Paging.of(immediately)))
            .isInstanceOfSatisfying(
                ZxException.class,
                e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_ACCESS_DENIED()));
      } else if (kind < 31) {
        // The child is made, then mapping it fails: the child must be closed again.
        assertThatThrownBy(() -> ImmutableMapping.create(noMap, Paging.of(immediately)))
            .isInstanceOfSatisfying(
                ZxException.class,
                e -> assertThat(e.step()).isEqualTo(ZxException.Step.MAP_CHILD_VMO));
      } else {
        long size = vmo.size();
        assertThatThrownBy(
                () -> ImmutableMapping.create(vmo, 0, size + PAGE, Paging.of(immediately)))
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
  }

  private static void touch(MemorySegment segment) {
    long size = segment.byteSize();
    if (size > 0) {
      segment.get(JAVA_BYTE, 0);
      segment.get(JAVA_BYTE, size - 1);
    }
  }

  private static Figures figures(List<Vmo> parents) throws IOException {
    System.gc();
    long committed = 0;
    long children = 0;
    long mappings = 0;
    boolean zeroChildren = true;
    for (Vmo vmo : parents) {
      ZxTestSupport.VmoInfo info = ZxTestSupport.vmoInfo(vmo.handle());
      committed += info.committedBytes();
      children += info.numChildren();
      mappings += info.numMappings();
      zeroChildren &= ZxTestSupport.hasZeroChildren(vmo.handle());
    }
    List<String> lines = Files.readAllLines(Path.of("/proc/self/maps"));
    long maps = lines.size();
    long vmoMaps = lines.stream().filter(line -> line.contains("zx-vmo")).count();
    long fds = openFds();
    String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
    long rss = Long.parseLong(statm[1]) * PAGE;
    long jvm = Runtime.getRuntime().totalMemory(); // the Java heap's committed size
    // FIFO reuse hands each probe the oldest free slots; three probes see them all.
    int probe = Math.max(handleProbe(), Math.max(handleProbe(), handleProbe()));
    return new Figures(
        maps, vmoMaps, fds, rss, jvm, committed, children, mappings, zeroChildren, probe);
  }

  /**
   * Duplicates a handle {@value #PROBE_HANDLES} times at once, closes them, and returns the highest
   * handle-table slot they used. The host emulation (src/host/c/README.md) keeps slot indices in
   * bits 2-21 of a handle value, reuses freed slots first-in first-out, and grows its table only
   * when fewer than 64 slots are free. The probe is bigger than any free list these tests leave
   * (earlier tests in the JVM may have freed thousands of slots), so it takes every free slot but
   * 63 and then new ones: its highest slot is the number of live handles plus a constant, whatever
   * order the free list is in. A leaked handle raises it by one.
   */
  static int handleProbe() {
    try (Vmo vmo = Vmo.create(0)) {
      List<Vmo> copies = new ArrayList<>();
      int max = 0;
      try {
        for (int i = 0; i < PROBE_HANDLES; i++) {
          Vmo copy = vmo.duplicate();
          copies.add(copy);
          max = Math.max(max, (copy.handle() >>> 2) & 0xFFFFF);
        }
      } finally {
        copies.forEach(Vmo::close);
      }
      return max;
    }
  }
}
